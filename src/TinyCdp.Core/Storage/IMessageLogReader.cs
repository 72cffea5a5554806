namespace TinyCdp.Storage;

/// <summary>What the store knows of the messages accepted so far: the ids it remembers and the highest sequence.</summary>
public interface IMessageLogReader
{
    /// <summary>Which of these message ids were stored (and not yet forgotten).</summary>
    Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default);

    /// <summary>The highest event sequence stored (0 when none), so the engine continues after it.</summary>
    Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default);
}
