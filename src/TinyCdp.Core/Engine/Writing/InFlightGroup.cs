using TinyCdp.Evaluation;

namespace TinyCdp.Engine.Writing;

/// <summary>A computed group whose commit runs.</summary>
internal sealed class InFlightGroup(WriteBatch batch, IngestOperation[] operations, List<IngestResult>[] results,
    List<(WorkingProfile Working, ProfileSnapshot Snapshot)> published, long started)
{
    public WriteBatch Batch { get; } = batch;

    public IngestOperation[] Operations { get; } = operations;

    public List<IngestResult>[] Results { get; } = results;

    public List<(WorkingProfile Working, ProfileSnapshot Snapshot)> Published { get; } = published;

    /// <summary>When computing the group began (for the commit duration metric).</summary>
    public long Started { get; } = started;

    /// <summary>True when the commit runs off the writer's thread and is counted for the backfill when drained.</summary>
    public bool CountWhenDrained { get; set; }

    public Task<IReadOnlyList<long>> Commit { get; set; } = Task.FromResult<IReadOnlyList<long>>([]);
}
