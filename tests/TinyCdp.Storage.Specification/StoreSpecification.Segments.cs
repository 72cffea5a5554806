using FsCheck;
using FsCheck.Fluent;
using TinyCdp.Evaluation;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

// Memberships and the change feed.
public abstract partial class StoreSpecification
{
    [Fact]
    public async Task GetMembershipsAsync_MembershipCommittedAgain_IsReplacedAndOrderedBySegment()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);
        await CommitAsync(store, transaction => transaction.Memberships.AddRange([
            Membership(id, "vip", true, 0, 0), Membership(id, "Churn", false, 0, 0), Membership(ProfileId(2), "vip", true, 0, 0)]));

        await CommitAsync(store, transaction => transaction.Memberships.AddRange([
            Membership(id, "vip", false, 5, 5), Membership(id, "active", true, 5, 6)]));

        Assert.Equal(
            [Membership(id, "Churn", false, 0, 0), Membership(id, "active", true, 5, 6), Membership(id, "vip", false, 5, 5)],
            await store.GetMembershipsAsync(id));
        Assert.Equal([Membership(ProfileId(2), "vip", true, 0, 0)], await store.ListSegmentMembersAsync("vip", null, 10));
    }

    [Fact]
    public async Task ListSegmentMembersAsync_Pages_InSegmentOnlyAscendingAfterTheGivenId()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction =>
        {
            transaction.Memberships.AddRange(new[] { 9, 3, 7, 1, 5 }.Select(n => Membership(ProfileId(n), "vip", true, n)));
            transaction.Memberships.AddRange(new[] { 2, 4, 6 }.Select(n => Membership(ProfileId(n), "vip", false, n)));
            transaction.Memberships.AddRange(new[] { 2, 4 }.Select(n => Membership(ProfileId(n), "VIP", true, n)));
        });

        Assert.Equal([Membership(ProfileId(1), "vip", true, 1), Membership(ProfileId(3), "vip", true, 3)], await store.ListSegmentMembersAsync("vip", null, 2));
        Assert.Equal([Membership(ProfileId(5), "vip", true, 5), Membership(ProfileId(7), "vip", true, 7)], await store.ListSegmentMembersAsync("vip", ProfileId(3), 2));
        Assert.Equal([Membership(ProfileId(9), "vip", true, 9)], await store.ListSegmentMembersAsync("vip", ProfileId(7), 2));
        Assert.Empty(await store.ListSegmentMembersAsync("vip", ProfileId(9), 2));
        Assert.Equal([ProfileId(5), ProfileId(7), ProfileId(9)], (await store.ListSegmentMembersAsync("vip", ProfileId(4), 10)).Select(m => m.ProfileId));
        Assert.Equal([ProfileId(2), ProfileId(4)], (await store.ListSegmentMembersAsync("VIP", null, 10)).Select(m => m.ProfileId));
        Assert.Empty(await store.ListSegmentMembersAsync("unknown", null, 10));
    }

    [Fact]
    public async Task ListSegmentMembersAsync_AnyMembershipHistory_PagesLikeANaiveFilter()
    {
        // One store for all cases; each case writes its own segment.
        await using var store = await CreateStoreAsync();
        var caseNumber = 0;
        var write = from n in Gen.Choose(0, 30) from inSegment in Gen.Elements(true, false) select (n, inSegment);
        var cases =
            (from pageSize in Gen.Choose(1, 8)
             from writes in write.ArrayOf()
             select (pageSize, commits: writes.Chunk(10).Take(4).ToArray())).ToArbitrary();

        Prop.ForAll(cases, input =>
        {
            var (pageSize, commits) = input;
            var segment = $"segment-{caseNumber++}";
            var expected = new Dictionary<Guid, bool>();
            foreach (var commit in commits)
            {
                CommitAsync(store, transaction =>
                {
                    foreach (var (n, inSegment) in commit)
                    {
                        transaction.Memberships.Add(Membership(ProfileId(n), segment, inSegment));
                        expected[ProfileId(n)] = inSegment;
                    }
                }).GetAwaiter().GetResult();
            }

            var paged = new List<Guid>();
            Guid? after = null;
            while (store.ListSegmentMembersAsync(segment, after, pageSize).GetAwaiter().GetResult() is { Count: > 0 } page)
            {
                Assert.True(page.Count <= pageSize);
                Assert.All(page, membership => Assert.Equal(segment, membership.Segment));
                paged.AddRange(page.Select(membership => membership.ProfileId));
                after = page[^1].ProfileId;
            }

            Assert.Equal(expected.Where(entry => entry.Value).Select(entry => entry.Key).Order(), paged);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    [Fact]
    public async Task CommitAsync_Changes_ReturnsStrictlyIncreasingCursorsAcrossCommits()
    {
        await using var store = await CreateStoreAsync();

        var first = await CommitAsync(store, transaction => transaction.Changes.AddRange([
            Change(ProfileId(1), "vip", true), Change(ProfileId(2), "vip", true), Change(ProfileId(1), "churn", false)]));
        var none = await CommitAsync(store, transaction => transaction.Profiles.Add(Profile(ProfileId(1))));
        var second = await CommitAsync(store, transaction => transaction.Changes.AddRange([Change(ProfileId(3), "vip", true), Change(ProfileId(3), "vip", false)]));

        long[] all = [.. first, .. second];
        Assert.Equal(3, first.Count);
        Assert.Empty(none);
        Assert.Equal(2, second.Count);
        Assert.True(all[0] > 0);
        Assert.All(all.Zip(all.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First} < {pair.Second}"));
    }

    [Fact]
    public async Task ReadChangesAsync_AfterCommits_ReturnsExactEntriesWithTheirCursorsOldestFirst()
    {
        await using var store = await CreateStoreAsync();
        StoredChange[] changes =
        [
            Change(ProfileId(1), "vip", true, at: 1, userId: "alice", cause: ChangeCause.Event),
            Change(ProfileId(2), "vip", false, at: 2, cause: ChangeCause.Time),
            Change(ProfileId(3), "churn", true, at: 3, userId: "carol", cause: ChangeCause.Definition),
            Change(ProfileId(1), "churn", false, at: 4, cause: ChangeCause.Merge),
            Change(ProfileId(4), "vip", false, at: 5, userId: "dave", cause: ChangeCause.Delete),
        ];
        var cursors = new List<long>();
        cursors.AddRange(await CommitAsync(store, transaction => transaction.Changes.AddRange(changes[..2])));
        cursors.AddRange(await CommitAsync(store, transaction => transaction.Changes.AddRange(changes[2..])));
        var expected = changes.Select((change, index) => change with { Cursor = cursors[index] }).ToList();

        Assert.Equal(expected, await store.ReadChangesAsync(0, 100));
        Assert.Equal(expected[..2], await store.ReadChangesAsync(0, 2));
        Assert.Equal(expected[2..4], await store.ReadChangesAsync(cursors[1], 2));
        Assert.Equal(expected[4..], await store.ReadChangesAsync(cursors[3], 2));
        Assert.Empty(await store.ReadChangesAsync(cursors[4], 2));
        Assert.Equal(expected, await store.ReadChangesAsync(-1, 100));
    }
}
