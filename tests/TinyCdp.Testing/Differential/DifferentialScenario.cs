using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Testing.Differential;

// The data of a differential scenario: plain records, printed compactly so that a shrunk
// counterexample reads as a reproduction. Times are relative to the receive time of the message
// (or to the scenario start for anchors) so that removing operations keeps every message valid.

/// <summary>How a message's timestamp / sentAt are chosen.</summary>
public enum TimeKind
{
    /// <summary>No timestamp: the event time is the receive time.</summary>
    None,

    /// <summary><c>timestamp = receive + A</c> (A ticks, may be negative or in the future).</summary>
    Relative,

    /// <summary><c>timestamp = start + A</c>: a shared instant, so that equal event times are common.</summary>
    Anchor,

    /// <summary><c>timestamp = receive + A</c>, <c>sentAt = receive + B</c> (device clock skew).</summary>
    SentAt,

    /// <summary>Only <c>sentAt = receive + B</c> (ignored: the event time is the receive time).</summary>
    SentAtOnly,
}

/// <summary>A message's timing.</summary>
public sealed record TimeSpec(TimeKind Kind, long A = 0, long B = 0)
{
    public static readonly TimeSpec Now = new(TimeKind.None);

    public override string ToString() => Kind switch
    {
        TimeKind.None => "now",
        TimeKind.Relative => "ts=recv" + Ticks(A),
        TimeKind.Anchor => "ts=start" + Ticks(A),
        TimeKind.SentAt => $"ts=recv{Ticks(A)},sentAt=recv{Ticks(B)}",
        _ => $"sentAt=recv{Ticks(B)}",
    };

    public static string Ticks(long ticks)
    {
        var sign = ticks < 0 ? "-" : "+";
        var span = TimeSpan.FromTicks(Math.Abs(ticks));
        return sign + span.ToString("c", CultureInfo.InvariantCulture);
    }
}

/// <summary>How a message's id is chosen.</summary>
public enum IdKind
{
    /// <summary>A fresh caller id (<c>m1</c>, <c>m2</c> … in send order).</summary>
    Fresh,

    /// <summary>No id: the engine assigns one.</summary>
    Assigned,

    /// <summary>The id of an earlier message (index <c>Pick</c> modulo the ids used so far): a duplicate.</summary>
    Reuse,
}

/// <summary>A message id choice.</summary>
public sealed record IdSpec(IdKind Kind, int Pick = 0)
{
    public override string ToString() => Kind switch
    {
        IdKind.Fresh => "fresh",
        IdKind.Assigned => "auto",
        _ => "reuse#" + Pick.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>One message to send.</summary>
public sealed record MessageSpec(
    MessageKind Kind,
    string? UserId,
    string? AnonymousId,
    string? PreviousId,
    string? Name,
    Value Properties,
    Value Traits,
    TimeSpec Time,
    IdSpec Id)
{
    public override string ToString()
    {
        var text = new StringBuilder(Kind.ToString());
        text.Append('(');
        var parts = new List<string>();
        if (UserId is not null)
        {
            parts.Add($"userId={Quote(UserId)}");
        }

        if (AnonymousId is not null)
        {
            parts.Add($"anon={Quote(AnonymousId)}");
        }

        if (PreviousId is not null)
        {
            parts.Add($"previousId={Quote(PreviousId)}");
        }

        if (Name is not null)
        {
            parts.Add($"name={Name}");
        }

        if (!Properties.IsNull)
        {
            parts.Add("props=" + Properties.ToJson());
        }

        if (!Traits.IsNull)
        {
            parts.Add("traits=" + Traits.ToJson());
        }

        parts.Add(Time.ToString());
        parts.Add("id=" + Id);
        text.AppendJoin(", ", parts).Append(')');
        return text.ToString();
    }

    private static string Quote(string text) => "\"" + text + "\"";
}

/// <summary>One step of a scenario.</summary>
public abstract record Op;

/// <summary>Sends messages, one by one (<c>SendAsync</c>) or as one all-or-nothing batch.</summary>
public sealed record SendOp(ImmutableArray<MessageSpec> Messages, bool Batch) : Op
{
    public override string ToString() =>
        Batch ? "Batch[" + string.Join("; ", Messages) + "]" : string.Join("; ", Messages);
}

/// <summary>
/// Sends messages one per <c>SendAsync</c> call without waiting in between (call order is queue
/// order), so that the writer's group commit takes several of them in one commit.
/// </summary>
public sealed record ConcurrentOp(ImmutableArray<MessageSpec> Messages) : Op
{
    public override string ToString() => "Concurrent[" + string.Join("; ", Messages) + "]";
}

/// <summary>Re-sends an earlier message verbatim (a client retry); index modulo the messages sent so far.</summary>
public sealed record ResendOp(int Pick) : Op
{
    public override string ToString() => "Resend#" + Pick.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Advances the fake clock.</summary>
public sealed record AdvanceOp(long Ticks) : Op
{
    public override string ToString() => "Advance" + TimeSpec.Ticks(Ticks);
}

/// <summary>Compares every value with the oracle now (when the definitions are saved).</summary>
public sealed record CheckOp : Op
{
    public override string ToString() => "Check";
}

/// <summary>Saves the definitions again with other thresholds (when already saved; else changes what will be saved).</summary>
public sealed record RedefineOp(DefinitionParams Params) : Op
{
    public override string ToString() => "Redefine " + Params;
}

/// <summary>Disposes the engine and opens a new one on the same store (when the store supports it).</summary>
public sealed record RestartOp : Op
{
    public override string ToString() => "Restart";
}

/// <summary>How a final check instant is chosen (always forward from the clock).</summary>
public enum FinalKind
{
    /// <summary>Advance by <c>Ticks</c>.</summary>
    Advance,

    /// <summary>An event's time plus a window (index <c>Window</c>) plus <c>Ticks</c>: a window edge.</summary>
    WindowEdge,

    /// <summary>The next UTC midnight plus <c>Ticks</c>: a calendar day edge.</summary>
    Midnight,
}

/// <summary>One final check instant.</summary>
public sealed record FinalCheck(FinalKind Kind, long Ticks, int Pick = 0, int Window = 0)
{
    public override string ToString() => Kind switch
    {
        FinalKind.Advance => "Final advance" + TimeSpec.Ticks(Ticks),
        FinalKind.WindowEdge => $"Final event#{Pick}+{DifferentialDefinitions.EdgeWindows[Window % DifferentialDefinitions.EdgeWindows.Length]}{TimeSpec.Ticks(Ticks)}",
        _ => "Final midnight" + TimeSpec.Ticks(Ticks),
    };
}

/// <summary>Thresholds of the generated definitions.</summary>
/// <param name="FrequentCount">K in <c>events.purchase.count_7d &gt;= K</c>.</param>
/// <param name="BigAmount">X in <c>where(amount &gt; X)</c>.</param>
/// <param name="SpenderSum">S in <c>events.purchase.sum(amount, 30d) &gt;= S</c>.</param>
public sealed record DefinitionParams(int FrequentCount, double BigAmount, double SpenderSum);

/// <summary>Engine options a scenario runs with.</summary>
/// <param name="DedupeWindow">How long message ids are remembered.</param>
/// <param name="TimeZone">The zone of calendar days (<c>unique_days</c>).</param>
public sealed record ScenarioSettings(TimeSpan DedupeWindow, TimeZoneInfo TimeZone)
{
    public static readonly ScenarioSettings Default = new(TimeSpan.FromDays(7), TimeZoneInfo.Utc);

    public override string ToString() => $"dedupe window {DedupeWindow.TotalDays.ToString(CultureInfo.InvariantCulture)}d, zone {TimeZone.Id}";
}

/// <summary>
/// A scenario: operations, where among them the definitions are saved (0 = before everything,
/// <c>Ops.Length</c> = after the stream), final check instants, definition thresholds and engine settings.
/// </summary>
public sealed record Scenario(ImmutableArray<Op> Ops, int DefinitionsAt, ImmutableArray<FinalCheck> Finals, DefinitionParams Params, ScenarioSettings Settings)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Scenario ({Settings}; definitions {Params}, saved before op {DefinitionsAt}):");
        for (var i = 0; i < Ops.Length; i++)
        {
            if (i == DefinitionsAt)
            {
                text.AppendLine("  SaveDefinitions");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"  {i}: {Ops[i]}");
        }

        if (DefinitionsAt >= Ops.Length)
        {
            text.AppendLine("  SaveDefinitions");
        }

        foreach (var final in Finals)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {final}");
        }

        return text.ToString();
    }
}
