using System.Runtime.CompilerServices;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Reading;

/// <summary>
/// Reading what the writer recorded: the change feed (paged, or watched as it grows) and the members
/// of a segment. The writer signals after each commit that appended changes, so a watcher wakes at
/// once instead of polling. Callers make sure the engine runs.
/// </summary>
internal sealed class ChangeFeed(ICdpStore store)
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every watcher (the writer calls it after a commit that appended changes).</summary>
    public void Signal()
    {
        var previous = Interlocked.Exchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    public async Task<IReadOnlyList<MembershipChange>> ReadAsync(long after, int limit, CancellationToken cancellationToken)
    {
        var changes = await store.ReadChangesAsync(after, Math.Clamp(limit, 1, 10_000), cancellationToken).ConfigureAwait(false);
        return [.. changes.Select(MembershipChange.From)];
    }

    public async IAsyncEnumerable<MembershipChange> WatchAsync(long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = after;
        while (!cancellationToken.IsCancellationRequested)
        {
            var signal = Volatile.Read(ref _signal).Task;
            var changes = await store.ReadChangesAsync(cursor, 1_000, cancellationToken).ConfigureAwait(false);
            foreach (var change in changes)
            {
                cursor = change.Cursor;
                yield return MembershipChange.From(change);
            }

            if (changes.Count == 0)
            {
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every stored member of a segment, in pages of a thousand, with each member's user id.</summary>
    public async IAsyncEnumerable<SegmentMember> ListMembersAsync(string segment, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Guid? after = null;
        while (true)
        {
            var page = await store.ListSegmentMembersAsync(segment, after, 1_000, cancellationToken).ConfigureAwait(false);
            foreach (var membership in page)
            {
                var identifiers = await store.GetIdentifiersAsync(membership.ProfileId, cancellationToken).ConfigureAwait(false);
                var userId = identifiers.FirstOrDefault(i => i.Kind == IdentifierKind.UserId).Value;
                yield return new SegmentMember(membership.ProfileId, userId, membership.Since);
            }

            if (page.Count < 1_000)
            {
                yield break;
            }

            after = page[^1].ProfileId;
        }
    }

    /// <summary>The size of each given segment (0 when nobody is in it), from the store's kept counts.</summary>
    public async Task<IReadOnlyDictionary<string, long>> GetSizesAsync(IEnumerable<string> segments, CancellationToken cancellationToken)
    {
        var kept = await store.GetSegmentSizesAsync(cancellationToken).ConfigureAwait(false);
        return segments.ToDictionary(segment => segment, segment => kept.GetValueOrDefault(segment), StringComparer.Ordinal);
    }

    /// <summary>A segment's size at the end of each hour that changed it: the running sum of its kept entries and exits.</summary>
    public async Task<IReadOnlyList<SegmentSizePoint>> GetSizeHistoryAsync(string segment, CancellationToken cancellationToken)
    {
        var hours = await store.GetSegmentSizeHistoryAsync(segment, cancellationToken).ConfigureAwait(false);
        var points = new List<SegmentSizePoint>(hours.Count);
        long members = 0;
        foreach (var hour in hours)
        {
            members += hour.Entered - hour.Exited;
            points.Add(new SegmentSizePoint(hour.Hour, members, hour.Entered, hour.Exited));
        }

        return points;
    }
}
