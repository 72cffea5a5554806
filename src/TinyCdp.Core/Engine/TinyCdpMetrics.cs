using System.Diagnostics.Metrics;

namespace TinyCdp.Engine;

/// <summary>
/// The engine's instruments (meter <c>TinyCdp</c>): messages stored, duplicates, decisions made,
/// and how long commits and decisions take. Read them with dotnet-counters or OpenTelemetry.
/// </summary>
internal static class TinyCdpMetrics
{
    public const string MeterName = "TinyCdp";

    private static readonly Meter Meter = new(MeterName, "1.0");

    public static Counter<long> MessagesStored { get; } = Meter.CreateCounter<long>("tinycdp.messages.stored", "{message}", "Messages committed to the store.");

    public static Counter<long> MessagesDuplicate { get; } = Meter.CreateCounter<long>("tinycdp.messages.duplicate", "{message}", "Messages acknowledged as duplicates and ignored.");

    public static Counter<long> MessagesRejected { get; } = Meter.CreateCounter<long>("tinycdp.messages.rejected", "{message}", "Messages or batches rejected as invalid.");

    public static Counter<long> Decisions { get; } = Meter.CreateCounter<long>("tinycdp.decisions", "{decision}", "Flag decisions made.");

    public static Histogram<double> CommitDuration { get; } = Meter.CreateHistogram<double>("tinycdp.commit.duration", "ms", "Time of one group commit, from taking the messages to publishing.");

    public static Histogram<double> DecideDuration { get; } = Meter.CreateHistogram<double>("tinycdp.decide.duration", "us", "Time of one decide call.");
}
