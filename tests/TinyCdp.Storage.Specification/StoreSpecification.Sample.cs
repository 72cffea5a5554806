using System.Text;
using System.Text.Json;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

public abstract partial class StoreSpecification
{
    /// <summary>What <see cref="SeedSampleAsync"/> wrote, and what <see cref="DumpAsync"/> reads back.</summary>
    protected sealed record Sample(
        IReadOnlyList<Guid> ProfileIds,
        IReadOnlyList<Identifier> Identifiers,
        IReadOnlyList<string> MessageIds,
        IReadOnlyList<string> Segments);

    /// <summary>
    /// Two commits that touch every table: four profiles (one then absorbed, one then deleted),
    /// identifiers of every kind, events of several kinds, dedupe ids, memberships, trait values,
    /// changes, a suppression, definitions with history and a catalog version.
    /// </summary>
    protected static async Task<Sample> SeedSampleAsync(ICdpStore store)
    {
        Guid alice = ProfileId(1), bob = ProfileId(2), carol = ProfileId(3), dave = ProfileId(4);
        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.AddRange([Profile(alice, 0), Profile(bob, 1), Profile(carol, 2), Profile(dave, 3)]);
            transaction.Identifiers.AddRange([
                (User("alice"), alice), (Anonymous("a-device"), alice), (Email("e1"), bob),
                (Anonymous("c-device"), carol), (User("dave"), dave)]);
            transaction.Events.AddRange([
                Event(1, alice),
                Event(2, bob),
                new StoredEvent(3, "m-3", carol, MessageKind.Identify, "$identify", At(3), At(4), At(-100),
                    "{}", """{"email":"carol@example.com","plan":"free"}"""),
                Event(4, dave, name: "signup"),
                new StoredEvent(5, "m-5", alice, MessageKind.Page, "$page", At(5), At(5), null,
                    """{"name":"Home","category":"Docs"}""", null)]);
            transaction.MessageIds.AddRange([("m-1", At(1)), ("m-2", At(2)), ("m-3", At(4)), ("m-4", At(4)), ("m-5", At(5))]);
            transaction.Memberships.AddRange([
                Membership(alice, "vip", true), Membership(bob, "vip", false), Membership(bob, "churn", true), Membership(carol, "vip", true)]);
            transaction.TraitValues.AddRange([
                TraitValue(alice, "total_spent", "500"), TraitValue(carol, "total_spent", "7"), TraitValue(carol, "plan", "\"free\"")]);
            transaction.Changes.AddRange([Change(alice, "vip", true, userId: "alice"), Change(bob, "churn", true)]);
            transaction.Definitions.AddRange([
                Definition(DefinitionKind.Trait, "total_spent", 1),
                Definition(DefinitionKind.Segment, "vip", 2, """{"rule":"total_spent >= 100"}"""),
                Definition(DefinitionKind.Flag, "new_checkout", 3, """{"enabled":true}""")]);
            transaction.DefinitionChanges.AddRange([
                new StoredDefinitionChange(1, DefinitionKind.Trait, "total_spent", "cli", At(0), null, """{"expression":"true"}"""),
                new StoredDefinitionChange(2, DefinitionKind.Segment, "vip", "app", At(0), null, """{"rule":"total_spent >= 100"}"""),
                new StoredDefinitionChange(3, DefinitionKind.Flag, "new_checkout", null, At(0), null, """{"enabled":true}""")]);
            transaction.CatalogVersion = 3;
        });

        await CommitAsync(store, transaction =>
        {
            transaction.Profiles.Add(Profile(alice, 0, version: 2));
            transaction.Merges.Add(new StoredMerge(alice, carol, At(10), "m-merge"));
            transaction.Memberships.Add(Membership(alice, "churn", false, since: 10, updatedAt: 10));
            transaction.Changes.Add(Change(dave, "vip", false, at: 11, userId: "dave", cause: ChangeCause.Delete));
            transaction.DeletedProfiles.Add(dave);
            transaction.Suppressions.Add(User("dave"));
        });

        return new Sample(
            [alice, bob, carol, dave, ProfileId(99)],
            [User("alice"), Anonymous("a-device"), Email("e1"), Anonymous("c-device"), User("dave"), User("nobody")],
            ["m-1", "m-2", "m-3", "m-4", "m-5", "m-merge", "m-unknown"],
            ["vip", "churn", "none"]);
    }

    /// <summary>
    /// Everything the store answers about a sample, as text: equal dumps mean equal stores, as far as
    /// the contract can see, and a failing comparison shows the difference.
    /// </summary>
    protected static async Task<string> DumpAsync(ICdpStore store, Sample sample)
    {
        var text = new StringBuilder();
        void Line(string label, object? value) => text.Append(label).Append(": ").AppendLine(JsonSerializer.Serialize(value));

        Line("live profiles", await store.ListProfileIdsAsync(null, 1000));
        Line("profile count", await store.CountProfilesAsync());
        Line("last sequence", await store.GetLastSequenceAsync());
        foreach (var id in sample.ProfileIds)
        {
            Line($"{id} profile", await store.GetProfileAsync(id));
            Line($"{id} identifiers", await store.GetIdentifiersAsync(id));
            Line($"{id} events", await store.GetEventsAsync(id));
            Line($"{id} merges", await store.GetMergesAsync(id));
            Line($"{id} memberships", await store.GetMembershipsAsync(id));
            Line($"{id} trait values", await store.GetTraitValuesAsync(id));
        }

        var owners = await store.FindProfilesAsync(sample.Identifiers);
        Line("owners", owners.OrderBy(entry => entry.Key.ToString(), StringComparer.Ordinal).Select(entry => $"{entry.Key}={entry.Value}"));
        var suppressed = await store.FindSuppressedAsync(sample.Identifiers);
        Line("suppressed", suppressed.Select(identifier => identifier.ToString()).Order(StringComparer.Ordinal));
        Line("known message ids", (await store.FindKnownMessageIdsAsync(sample.MessageIds)).Order(StringComparer.Ordinal));
        foreach (var segment in sample.Segments)
        {
            Line($"{segment} members", await store.ListSegmentMembersAsync(segment, null, 1000));
        }

        Line("changes", await store.ReadChangesAsync(0, 1000));
        var (definitions, version) = await store.GetDefinitionsAsync();
        Line("definitions", definitions);
        Line("catalog version", version);
        Line("history", await store.GetDefinitionHistoryAsync(null, null, 1000));
        return text.ToString();
    }
}
