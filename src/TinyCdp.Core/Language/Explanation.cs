namespace TinyCdp.Language;

/// <summary>
/// Why an expression has its value: each node's canonical text and value, with its children.
/// Aggregate nodes also carry the window they counted over and how many events they counted.
/// </summary>
/// <param name="Text">The canonical text of the node.</param>
/// <param name="Value">The node's value.</param>
/// <param name="Children">The operands that were evaluated (short-circuited ones are absent).</param>
public sealed record Explanation(string Text, Value Value, IReadOnlyList<Explanation> Children)
{
    /// <summary>For windowed aggregates: the exclusive start of the window (<c>now − W</c>); null for <c>all</c>.</summary>
    public DateTimeOffset? WindowStart { get; init; }

    /// <summary>For aggregates: the inclusive end of the window (<c>now</c>).</summary>
    public DateTimeOffset? WindowEnd { get; init; }

    /// <summary>For aggregates: the number of events counted.</summary>
    public long? EventCount { get; init; }

    /// <summary>For trait and segment references: the seed's name for it, <c>trait(total_spent)</c> or <c>segment(vip_users)</c>.</summary>
    public string? Reference { get; init; }

    /// <summary>The seed's one-line form: <c>text = value</c>.</summary>
    public override string ToString() => $"{Text} = {Value}";
}
