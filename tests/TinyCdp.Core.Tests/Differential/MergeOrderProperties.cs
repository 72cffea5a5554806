using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Differential;

/// <summary>
/// For conflict-free identifiers (each person has at most one user id; no identifier is shared
/// between people) the grouping of identifiers into profiles is the connected components of the
/// "appeared in one message" graph, whatever order the messages arrive in; every identifier of a
/// group, absorbed ones included, names the survivor; and with distinct event times every value
/// is the same in every arrival order (SEMANTICS.md §2 merges, §3 late events).
/// </summary>
public sealed class MergeOrderProperties
{
    private static readonly string[] TraitKeys = ["n", "total", "plan", "first_plan", "last_amount"];

    /// <summary>A person: an optional user id, one to three anonymous ids, an optional email.</summary>
    public sealed record OrderPerson(string? UserId, ImmutableArray<string> AnonymousIds, string? Email);

    /// <summary>Messages (with distinct explicit timestamps) and arrival orders to try.</summary>
    public sealed record MergeOrderCase(ImmutableArray<OrderPerson> People, ImmutableArray<CdpMessage> Messages, ImmutableArray<ImmutableArray<int>> Orders)
    {
        public override string ToString() =>
            "People: " + string.Join("; ", People.Select(p => $"{p.UserId ?? "-"} [{string.Join(",", p.AnonymousIds)}] {p.Email ?? "-"}")) + "\n" +
            string.Join("\n", Messages.Select((m, i) => $"  {i}: {m.Kind} userId={m.UserId} anon={m.AnonymousId} previousId={m.PreviousId} traits={m.Traits.ToJson()} props={m.Properties.ToJson()} ts={m.Timestamp:O}")) + "\n" +
            "Orders: " + string.Join(" | ", Orders.Select(o => string.Join(",", o)));
    }

    [Property(MaxTest = 60)]
    public Property Grouping_AnyArrivalOrder_IsTheConnectedComponents() =>
        Prop.ForAll(Arb.From(CaseGen), c => Task.Run(() => CheckAsync(c)).GetAwaiter().GetResult());

    private static Gen<MergeOrderCase> CaseGen =>
        from count in Gen.Choose(2, 4)
        from shapes in Gen.Elements(true, false).Zip(Gen.Choose(1, 3)).Zip(Gen.Elements(true, false)).ArrayOf(count)
        let people = shapes.Select((s, i) => new OrderPerson(
            s.Item1.Item1 ? $"u{i}" : null,
            [.. Enumerable.Range(1, s.Item1.Item2).Select(k => $"a{i}{k}")],
            s.Item2 ? $"p{i}@x.io" : null)).ToImmutableArray()
        from messageCount in Gen.Choose(3, 14)
        from specs in MessageGen(people).ArrayOf(messageCount)
        from slots in Gen.Shuffle(Enumerable.Range(0, messageCount).ToArray())
        from orders in Gen.Shuffle(Enumerable.Range(0, messageCount).ToArray()).ArrayOf(2)
        select new MergeOrderCase(
            people,
            [.. specs.Select((m, i) => m with { Timestamp = EngineHost.Start.AddDays(-3).AddMinutes(17 * slots[i]), MessageId = $"m{i}" })],
            [[.. Enumerable.Range(0, messageCount)], .. orders.Select(o => o.ToImmutableArray())]);

    private static Gen<CdpMessage> MessageGen(ImmutableArray<OrderPerson> people) =>
        from person in Gen.Elements<OrderPerson>(people)
        from anonymousId in Gen.Elements<string>(person.AnonymousIds)
        from shape in Gen.Choose(0, 2) // 0: user id only, 1: anonymous id only, 2: both
        from kind in person.UserId is null
            ? Gen.Elements(MessageKind.Track, MessageKind.Track, MessageKind.Identify)
            : Gen.Elements(MessageKind.Track, MessageKind.Track, MessageKind.Identify, MessageKind.Alias)
        from amount in Gen.Choose(1, 50)
        from plan in Gen.Elements("free", "pro", "team")
        from withEmail in Gen.Elements(true, false)
        let userId = person.UserId is null || shape == 1 ? null : person.UserId
        let anonymous = person.UserId is not null && shape == 0 ? null : anonymousId
        select kind switch
        {
            MessageKind.Alias => CdpMessage.Alias(anonymousId, person.UserId!),
            MessageKind.Identify => CdpMessage.Identify(userId, ScenarioGenerators.Obj(
                [("plan", Value.String(plan)), .. withEmail && person.Email is not null ? [("email", Value.String(person.Email))] : Array.Empty<(string, Value)>()]),
                anonymousId: anonymous),
            _ => CdpMessage.Track(userId, "purchase", ScenarioGenerators.Obj(("amount", Value.Number(amount)), ("plan", Value.String(plan))), anonymousId: anonymous),
        };

    private static async Task CheckAsync(MergeOrderCase c)
    {
        var components = Components(c.Messages);
        var references = c.People.SelectMany(p => (p.UserId is null ? [] : new[] { (IdentifierKind.UserId, p.UserId) })
                .Concat(p.AnonymousIds.Select(a => (IdentifierKind.AnonymousId, a))))
            .Append((IdentifierKind.UserId, "nobody"))
            .ToList();
        Dictionary<string, string>? first = null;
        foreach (var order in c.Orders)
        {
            var (ids, values) = await RunAsync(c, order, references);
            var where = $"order {string.Join(",", order)}\n{c}";

            // The partition of identifiers by profile id is the connected components.
            foreach (var (kind, text) in references)
            {
                var key = $"{kind}:{text}";
                var component = components.GetValueOrDefault(key);
                Assert.True(component is null == (ids[key] == Guid.Empty), $"{key}: profile {ids[key]}, component {component}; {where}");
                foreach (var (otherKind, otherText) in references)
                {
                    var other = $"{otherKind}:{otherText}";
                    if (component is null || components.GetValueOrDefault(other) is null)
                    {
                        continue;
                    }

                    var together = component == components[other];
                    Assert.True(together == (ids[key] == ids[other]),
                        $"{key} and {other}: {(together ? "connected" : "not connected")} but profiles {ids[key]} and {ids[other]}; {where}");
                }
            }

            // Values agree with the naive oracle replaying this order, and across orders.
            var oracle = new NaiveOracle();
            var received = EngineHost.Start;
            foreach (var index in order)
            {
                oracle.Receive([c.Messages[index]], received);
                received = received.AddSeconds(1);
            }

            foreach (var (kind, text) in references)
            {
                var profile = oracle.Resolve(kind, text);
                var view = profile is null ? OracleView.Empty(received) : new OracleView(profile.Events, received);
                foreach (var trait in TraitKeys)
                {
                    var expected = Expected(trait, view).ToJson();
                    Assert.True(expected == values[$"{trait} {kind}:{text}"],
                        $"{trait} for {kind}:{text}: engine {values[$"{trait} {kind}:{text}"]}, oracle {expected}; {where}");
                }
            }

            if (first is null)
            {
                first = values;
            }
            else
            {
                foreach (var (key, value) in values)
                {
                    Assert.True(first[key] == value, $"{key}: {value} in {where}, {first[key]} in the first order");
                }
            }
        }
    }

    private static async Task<(Dictionary<string, Guid> Ids, Dictionary<string, string> Values)> RunAsync(
        MergeOrderCase c, ImmutableArray<int> order, List<(IdentifierKind Kind, string Text)> references)
    {
        await using var store = new SharedInMemoryStore();
        await using var host = new EngineHost(store.Open(), EngineHost.Start);
        var cdp = host.Cdp;
        await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("n", "events.purchase.count_all")));
        await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("total", "events.purchase.sum(amount, all)")));
        await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("plan", "profile.plan")));
        await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("first_plan", "events.purchase.first(plan)")));
        await Save(cdp.Definitions.SaveTraitAsync(new TraitDefinition("last_amount", "events.purchase.last(amount)")));
        await Save(cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule("any", "true")));
        foreach (var index in order)
        {
            var result = await cdp.SendAsync(c.Messages[index]);
            Assert.True(result.Accepted, $"message {index} rejected: {result.Error?.Message}");
            host.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kind, text) in references)
        {
            var reference = kind == IdentifierKind.UserId ? ProfileReference.ByUserId(text) : ProfileReference.ByAnonymousId(text);
            ids[$"{kind}:{text}"] = (await cdp.DecideAsync("any", reference))!.ProfileId;
            foreach (var trait in TraitKeys)
            {
                values[$"{trait} {kind}:{text}"] = (await cdp.EvaluateTraitAsync(trait, reference)).ToJson();
            }
        }

        return (ids, values);

        static async Task Save(Task<DefinitionResult> save) => Assert.True((await save).Succeeded);
    }

    private static Value Expected(string trait, OracleView view) => trait switch
    {
        "n" => Value.Number(view.Count("purchase", null)),
        "total" => view.Sum("purchase", "amount", null),
        "plan" => view.Profile("plan"),
        "first_plan" => view.First("purchase", "plan"),
        _ => view.Last("purchase", "amount"),
    };

    /// <summary>Union-find over "kind:value" nodes; each message links its identifiers (alias: userId and previousId as an anonymous id).</summary>
    private static Dictionary<string, string> Components(IEnumerable<CdpMessage> messages)
    {
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Find(string node)
        {
            parent.TryAdd(node, node);
            while (parent[node] != node)
            {
                node = parent[node];
            }

            return node;
        }

        foreach (var message in messages)
        {
            var nodes = new List<string>();
            if (message.UserId is not null)
            {
                nodes.Add($"{IdentifierKind.UserId}:{message.UserId}");
            }

            if (message.AnonymousId is not null)
            {
                nodes.Add($"{IdentifierKind.AnonymousId}:{message.AnonymousId}");
            }

            if (message.PreviousId is not null)
            {
                nodes.Add($"{IdentifierKind.AnonymousId}:{message.PreviousId}");
            }

            if (message.Traits.Member("email").TryGetString(out var email))
            {
                nodes.Add($"{IdentifierKind.EmailHash}:{email}");
            }

            var roots = nodes.Select(Find).ToList();
            foreach (var root in roots.Skip(1))
            {
                parent[Find(root)] = Find(roots[0]);
            }
        }

        return parent.Keys.ToList().ToDictionary(k => k, Find, StringComparer.Ordinal);
    }
}
