using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

// Every record kind written and read back field by field.
public abstract partial class StoreSpecification
{
    [Fact]
    public async Task MigrateAsync_CalledAgain_KeepsEverything()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        await store.MigrateAsync();
        await store.MigrateAsync();

        Assert.Equal(before, await DumpAsync(store, sample));
    }

    [Fact]
    public async Task IsReachableAsync_MigratedStore_ReturnsTrue()
    {
        await using var store = await CreateStoreAsync();

        Assert.True(await store.IsReachableAsync());
    }

    [Fact]
    public async Task Reads_EmptyStore_ReturnNothing()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);

        Assert.Null(await store.GetProfileAsync(id));
        Assert.Empty(await store.GetIdentifiersAsync(id));
        Assert.Empty(await store.GetEventsAsync(id));
        Assert.Empty(await store.GetMergesAsync(id));
        Assert.Empty(await store.GetMembershipsAsync(id));
        Assert.Empty(await store.GetTraitValuesAsync(id));
        Assert.Empty(await store.ListProfileIdsAsync(null, 10));
        Assert.Equal(0, await store.CountProfilesAsync());
        Assert.Empty(await store.ListSegmentMembersAsync("vip", null, 10));
        Assert.Empty(await store.ReadChangesAsync(0, 10));
        var (definitions, version) = await store.GetDefinitionsAsync();
        Assert.Empty(definitions);
        Assert.Equal(0, version);
        Assert.Empty(await store.GetDefinitionHistoryAsync(null, null, 10));
        Assert.Equal(0, await store.GetLastSequenceAsync());
        Assert.Empty(await store.FindKnownMessageIdsAsync(["m-1"]));
        Assert.Empty(await store.FindProfilesAsync([User("u")]));
        Assert.Empty(await store.FindSuppressedAsync([User("u")]));
    }

    [Fact]
    public async Task CommitAsync_EmptyTransaction_ReturnsNoCursorsAndChangesNothing()
    {
        await using var store = await CreateStoreAsync();
        var sample = await SeedSampleAsync(store);
        var before = await DumpAsync(store, sample);

        var cursors = await store.CommitAsync(new StoreTransaction());

        Assert.Empty(cursors);
        Assert.Equal(before, await DumpAsync(store, sample));
    }

    [Fact]
    public async Task CommitAsync_NullTransaction_ThrowsArgumentNullException()
    {
        await using var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.CommitAsync(null!));
    }

    [Fact]
    public async Task GetProfileAsync_AfterCommit_ReturnsExactRow()
    {
        await using var store = await CreateStoreAsync();
        var profile = new StoredProfile(ProfileId(7), At(-3600), """{"plan":"pro","tags":["a","b"],"n":1.5}""",
            """{"plan":"2026-03-01T11:00:00.123Z"}""", null, 42);

        await CommitAsync(store, transaction => transaction.Profiles.Add(profile));

        Assert.Equal(profile, await store.GetProfileAsync(profile.Id));
    }

    [Fact]
    public async Task GetProfileAsync_ProfileCommittedAgain_ReturnsTheReplacement()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);
        var other = ProfileId(2);
        await CommitAsync(store, transaction => transaction.Profiles.AddRange([Profile(id), Profile(other)]));
        var replacement = new StoredProfile(id, At(5), """{"plan":"free"}""", """{"plan":"2026-03-01T12:00:05.123Z"}""", other, 2);

        await CommitAsync(store, transaction => transaction.Profiles.Add(replacement));

        Assert.Equal(replacement, await store.GetProfileAsync(id));
        Assert.Equal(Profile(other), await store.GetProfileAsync(other));
    }

    [Fact]
    public async Task GetEventsAsync_AfterCommits_ReturnsExactRowsInSequenceOrder()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);
        var identify = new StoredEvent(2, "m-identify", id, MessageKind.Identify, "$identify", At(2), At(3), At(-1),
            "{}", """{"email":"x@example.com","age":30}""");
        var alias = new StoredEvent(4, "m-alias", id, MessageKind.Alias, "$alias", At(4), At(4), null, "{}", null);
        var page = new StoredEvent(6, "m-page", id, MessageKind.Page, "$page", At(6), At(6), null, """{"name":"Home"}""", null);
        var screen = new StoredEvent(9, "m-screen", id, MessageKind.Screen, "$screen", At(9), At(9), null, """{"name":"Cart"}""", null);
        var group = new StoredEvent(7, "m-group", id, MessageKind.Group, "$group", At(7), At(7), null, """{"groupId":"g1"}""", """{"name":"Acme"}""");
        var track = Event(3, id, name: "Order Completed");

        await CommitAsync(store, transaction => transaction.Events.AddRange([page, identify, track]));
        await CommitAsync(store, transaction => transaction.Events.AddRange([screen, alias, group]));

        Assert.Equal([identify, track, alias, page, group, screen], await store.GetEventsAsync(id));
    }

    [Fact]
    public async Task GetEventsAsync_OtherProfilesEvents_AreNotReturned()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction => transaction.Events.AddRange([Event(1, ProfileId(1)), Event(2, ProfileId(2)), Event(3, ProfileId(1))]));

        Assert.Equal([Event(1, ProfileId(1)), Event(3, ProfileId(1))], await store.GetEventsAsync(ProfileId(1)));
        Assert.Equal([Event(2, ProfileId(2))], await store.GetEventsAsync(ProfileId(2)));
    }

    [Fact]
    public async Task CommitAsync_SubMillisecondInstantsWithOffsets_StoredAsUtcTruncatedToTheMillisecond()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);
        var precise = new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_239_999); // 123.9999 ms
        var expected = new DateTimeOffset(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.Add(Profile(id) with { CreatedAt = precise });
            transaction.Events.Add(Event(1, id) with { Timestamp = precise, ReceivedAt = precise, OriginalTimestamp = precise });
            transaction.Memberships.Add(new StoredMembership(id, "vip", true, precise, precise));
            transaction.TraitValues.Add(new StoredTraitValue(id, "t", "1", precise));
            transaction.Changes.Add(new StoredChange(0, id, null, "vip", true, precise, ChangeCause.Time));
            transaction.Merges.Add(new StoredMerge(id, ProfileId(2), precise, "m-merge"));
            transaction.Definitions.Add(new StoredDefinition(DefinitionKind.Trait, "t", "{}", 1, precise, precise));
            transaction.DefinitionChanges.Add(new StoredDefinitionChange(1, DefinitionKind.Trait, "t", null, precise, null, "{}"));
        });

        var instants = new List<DateTimeOffset>();
        var profile = await store.GetProfileAsync(id);
        instants.Add(profile!.CreatedAt);
        var storedEvent = Assert.Single(await store.GetEventsAsync(id));
        instants.AddRange([storedEvent.Timestamp, storedEvent.ReceivedAt, storedEvent.OriginalTimestamp!.Value]);
        var membership = Assert.Single(await store.GetMembershipsAsync(id));
        instants.AddRange([membership.Since, membership.UpdatedAt]);
        instants.Add(Assert.Single(await store.GetTraitValuesAsync(id)).UpdatedAt);
        instants.Add(Assert.Single(await store.ReadChangesAsync(0, 10)).At);
        instants.Add(Assert.Single(await store.GetMergesAsync(id)).At);
        var definition = Assert.Single((await store.GetDefinitionsAsync()).Definitions);
        instants.AddRange([definition.CreatedAt, definition.UpdatedAt]);
        instants.Add(Assert.Single(await store.GetDefinitionHistoryAsync(null, null, 10)).At);

        Assert.Equal(12, instants.Count);
        Assert.All(instants, instant =>
        {
            Assert.Equal(expected, instant);
            Assert.Equal(TimeSpan.Zero, instant.Offset);
            Assert.Equal(expected.UtcTicks, instant.UtcTicks);
        });
    }

    [Fact]
    public async Task CommitAsync_InstantsFarApart_RoundTripExactly()
    {
        await using var store = await CreateStoreAsync();
        DateTimeOffset[] instants =
        [
            new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new(1969, 12, 31, 23, 59, 59, 999, TimeSpan.Zero),
            new(2000, 2, 29, 23, 59, 59, 999, TimeSpan.Zero),
            new(2999, 12, 31, 0, 0, 0, 1, TimeSpan.Zero),
        ];

        await CommitAsync(store, transaction => transaction.Events.AddRange(
            instants.Select((instant, index) => Event(index + 1, ProfileId(1)) with { Timestamp = instant, OriginalTimestamp = instant })));

        Assert.Equal(instants, (await store.GetEventsAsync(ProfileId(1))).Select(storedEvent => storedEvent.Timestamp));
        Assert.Equal(instants, (await store.GetEventsAsync(ProfileId(1))).Select(storedEvent => storedEvent.OriginalTimestamp!.Value));
    }

    [Fact]
    public async Task CommitAsync_UnicodeAndLargeJson_RoundTripsExactly()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);
        var big = "{\"text\":\"" + new string('x', 100_000) + "\",\"emoji\":\"👩‍💻 ユーザー Zoë\"}";
        var storedEvent = Event(1, id, messageId: "msg-ユーザー-👩‍💻", name: "Order Completed ✓") with { PropertiesJson = big, TraitsJson = "{}" };

        await CommitAsync(store, transaction =>
        {
            transaction.Events.Add(storedEvent);
            transaction.MessageIds.Add((storedEvent.MessageId, At(1)));
            transaction.Identifiers.Add((User("ユーザー"), id));
        });

        Assert.Equal([storedEvent], await store.GetEventsAsync(id));
        Assert.Equal(["msg-ユーザー-👩‍💻"], await store.FindKnownMessageIdsAsync(["msg-ユーザー-👩‍💻", "msg-ユーザー"]));
        Assert.Equal(id, (await store.FindProfilesAsync([User("ユーザー")]))[User("ユーザー")]);
    }

    [Fact]
    public async Task GetTraitValuesAsync_ValuesCommittedAgain_AreReplacedAndOrderedByTrait()
    {
        await using var store = await CreateStoreAsync();
        var id = ProfileId(1);
        await CommitAsync(store, transaction => transaction.TraitValues.AddRange([
            TraitValue(id, "total_spent", "100"), TraitValue(id, "Plan", "\"pro\""), TraitValue(id, "last_seen", "null")]));

        await CommitAsync(store, transaction => transaction.TraitValues.AddRange([
            TraitValue(id, "total_spent", "250.5", updatedAt: 9), TraitValue(id, "a_list", """[1,"two",{"three":3}]""", updatedAt: 9)]));

        Assert.Equal(
            [TraitValue(id, "Plan", "\"pro\""), TraitValue(id, "a_list", """[1,"two",{"three":3}]""", 9),
             TraitValue(id, "last_seen", "null"), TraitValue(id, "total_spent", "250.5", 9)],
            await store.GetTraitValuesAsync(id));
        Assert.Empty(await store.GetTraitValuesAsync(ProfileId(2)));
    }

    [Fact]
    public async Task GetLastSequenceAsync_AfterCommits_ReturnsTheHighestSequence()
    {
        await using var store = await CreateStoreAsync();

        await CommitAsync(store, transaction => transaction.Events.AddRange([Event(5, ProfileId(1)), Event(3, ProfileId(2))]));
        Assert.Equal(5, await store.GetLastSequenceAsync());

        await CommitAsync(store, transaction => transaction.Events.Add(Event(9, ProfileId(2))));
        Assert.Equal(9, await store.GetLastSequenceAsync());

        await CommitAsync(store, transaction => transaction.Profiles.Add(Profile(ProfileId(3))));
        Assert.Equal(9, await store.GetLastSequenceAsync());
    }

    [Fact]
    public async Task GetLastSequenceAsync_EventsWithTheHighestSequenceDeleted_DoesNotGoDown()
    {
        await using var store = await CreateStoreAsync();
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(ProfileId(1)), Profile(ProfileId(2))]);
            transaction.Events.AddRange([Event(1, ProfileId(1)), Event(2, ProfileId(2))]);
        });

        await CommitAsync(store, transaction => transaction.DeletedProfiles.Add(ProfileId(2)));

        Assert.Equal(2, await store.GetLastSequenceAsync());
    }

    [Fact]
    public async Task Paging_NegativeLimit_ThrowsArgumentOutOfRange()
    {
        await using var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListProfileIdsAsync(null, -1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListSegmentMembersAsync("vip", null, -1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ReadChangesAsync(0, -1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetDefinitionHistoryAsync(null, null, -1));
    }

    [Fact]
    public async Task Paging_ZeroLimit_ReturnsNothing()
    {
        await using var store = await CreateStoreAsync();
        await SeedSampleAsync(store);

        Assert.Empty(await store.ListProfileIdsAsync(null, 0));
        Assert.Empty(await store.ListSegmentMembersAsync("vip", null, 0));
        Assert.Empty(await store.ReadChangesAsync(0, 0));
        Assert.Empty(await store.GetDefinitionHistoryAsync(null, null, 0));
    }
}
