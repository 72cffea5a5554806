using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Testing.Differential;

/// <summary>
/// FsCheck generators of differential scenarios. Two to four people draw their user ids,
/// anonymous ids and emails from small shared pools, so identifiers collide: merges, user-id
/// guard conflicts and aliases across people are common. Streams mix tracks (purchase, app_open,
/// signup with numeric / string / missing amounts), identifies (plan, email), aliases, pages,
/// screens, groups, batches (some rejected whole), duplicates (retries and reused ids), late and
/// skewed timestamps, far-future timestamps, clock advances from zero to days, mid-stream checks
/// and restarts.
/// </summary>
public static class ScenarioGenerators
{
    public static readonly string[] UserPool = ["u1", "u2", "u3", "u4"];
    public static readonly string[] AnonymousPool = ["a1", "a2", "a3", "a4"];
    public static readonly string[] EmailPool = ["ann@x.io", "  Ann@X.IO ", "bob@y.io", "cy@z.io"];

    /// <summary>SEMANTICS.md §2 placeholder values, ignored as identifiers.</summary>
    public static readonly string[] Junk = ["", "null", "undefined", "0", "anonymous"];

    private const long Ms = TimeSpan.TicksPerMillisecond;
    private const long Second = TimeSpan.TicksPerSecond;
    private const long Minute = TimeSpan.TicksPerMinute;
    private const long Hour = TimeSpan.TicksPerHour;
    private const long Day = TimeSpan.TicksPerDay;

    /// <summary>Every string a reference may name (each is tried as a user id and as an anonymous id).</summary>
    public static IEnumerable<string> ReferenceTexts => UserPool.Concat(AnonymousPool);

    /// <summary>A person of the generator: the identifiers their messages use.</summary>
    public sealed record Person(string[] UserIds, string[] AnonymousIds, string[] Emails);

    public static Arbitrary<Scenario> Scenarios(bool restarts) => Arb.From(Scenario(restarts), Shrink);

    public static Gen<Scenario> Scenario(bool restarts) =>
        from peopleCount in Gen.Choose(2, 4)
        from people in PersonGen.ArrayOf(peopleCount)
        from opCount in Gen.Frequency((1, Gen.Choose(5, 15)), (3, Gen.Choose(15, 40)))
        from ops in OpGen(people, restarts).ArrayOf(opCount)
        from definitionsAt in Gen.Frequency(
            (2, Gen.Constant(0)),
            (2, Gen.Constant(opCount)),
            (1, Gen.Choose(0, opCount)))
        from finalCount in Gen.Choose(2, 5)
        from finals in FinalGen.ArrayOf(finalCount)
        from parameters in ParamsGen
        from settings in SettingsGen
        select new Scenario([.. ops], definitionsAt, [.. finals], parameters, settings);

    /// <summary>Zones for calendar days: UTC mostly, a half-hour offset, a negative offset, one with summer time.</summary>
    public static readonly TimeZoneInfo[] Zones =
    [
        TimeZoneInfo.Utc,
        TimeZoneInfo.CreateCustomTimeZone("Test/Plus0530", TimeSpan.FromMinutes(330), "+05:30", "+05:30"),
        TimeZoneInfo.CreateCustomTimeZone("Test/Minus03", TimeSpan.FromHours(-3), "-03:00", "-03:00"),
        SummerTimeZone(),
    ];

    private static Gen<ScenarioSettings> SettingsGen =>
        from dedupeDays in Gen.Frequency((3, Gen.Constant(3650)), (1, Gen.Constant(7)), (2, Gen.Constant(2)))
        from zone in Gen.Frequency((4, Gen.Constant(Zones[0])), (1, Gen.Elements(Zones[1..])))
        select new ScenarioSettings(TimeSpan.FromDays(dedupeDays), zone);

    // UTC+1 with summer time (+2) from 10 January 02:00 to 25 January 03:00: both switches happen inside scenarios.
    private static TimeZoneInfo SummerTimeZone()
    {
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
            new DateTime(2099, 12, 31, 0, 0, 0, DateTimeKind.Unspecified),
            TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 2, 0, 0, DateTimeKind.Unspecified), 1, 10),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 3, 0, 0, DateTimeKind.Unspecified), 1, 25));
        return TimeZoneInfo.CreateCustomTimeZone("Test/Summer", TimeSpan.FromHours(1), "Summer test", "Standard", "Summer", [rule]);
    }

    private static Gen<DefinitionParams> ParamsGen =>
        from k in Gen.Choose(1, 3)
        from big in Gen.Elements(0.0, 10.0, 50.0)
        from spender in Gen.Elements(20.0, 100.0)
        select new DefinitionParams(k, big, spender);

    private static Gen<Person> PersonGen =>
        from userIds in Gen.Frequency(
            (1, Gen.Constant(Array.Empty<string>())),
            (6, Gen.Elements(UserPool).Select(u => new[] { u })),
            (1, Gen.Elements(UserPool).Two().Select(p => new[] { p.Item1, p.Item2 }.Distinct().ToArray())))
        from anonymousIds in Gen.Frequency(
            (2, Gen.Elements(AnonymousPool).Select(a => new[] { a })),
            (3, Gen.Elements(AnonymousPool).Two().Select(p => new[] { p.Item1, p.Item2 }.Distinct().ToArray())))
        from emails in Gen.Frequency(
            (1, Gen.Constant(Array.Empty<string>())),
            (2, Gen.Elements(EmailPool).Select(e => new[] { e })))
        select new Person(userIds, anonymousIds, emails);

    private static Gen<Op> OpGen(Person[] people, bool restarts)
    {
        // Mostly one person's messages; sometimes identifiers of anyone together (links across people: merges, guard conflicts).
        var anyone = new Person(UserPool, AnonymousPool, EmailPool);
        var message = Gen.Frequency((5, Gen.Elements(people)), (1, Gen.Constant(anyone))).SelectMany(MessageGen);
        var choices = new List<(int, Gen<Op>)>
        {
            (18, message.Select(m => (Op)new SendOp([m], false))),
            (2, from count in Gen.Choose(2, 3)
                from messages in message.ArrayOf(count)
                select (Op)new SendOp([.. messages], true)),
            (3, Gen.Elements(people).SelectMany(MergeGen).Select(messages => (Op)new SendOp([.. messages], false))),
            (1, Gen.Elements(people).SelectMany(MergeGen).Select(messages => (Op)new SendOp([.. messages], true))),
            (1, Gen.Elements(people).SelectMany(MergeGen).Select(messages => (Op)new ConcurrentOp([.. messages]))),
            (1, from count in Gen.Choose(2, 4)
                from messages in message.ArrayOf(count)
                select (Op)new ConcurrentOp([.. messages])),
            (1, Gen.Choose(0, 1000).Select(pick => (Op)new ResendOp(pick))),
            (6, AdvanceGen.Select(ticks => (Op)new AdvanceOp(ticks))),
            (2, Gen.Constant((Op)new CheckOp())),
            (1, ParamsGen.Select(p => (Op)new RedefineOp(p))),
        };
        if (restarts)
        {
            choices.Add((1, Gen.Constant((Op)new RestartOp())));
        }

        return Gen.Frequency(choices.ToArray());
    }

    /// <summary>Clock advances: often zero (equal receive times), sub-millisecond, seconds … days.</summary>
    public static Gen<long> AdvanceGen => Gen.Frequency(
        (3, Gen.Constant(0L)),
        (1, Gen.Choose(1, 20_000).Select(t => (long)t)),
        (1, Gen.Choose(1, 999).Select(ms => ms * Ms)),
        (2, Gen.Choose(1, 600).Select(s => s * Second)),
        (2, Gen.Choose(1, 600).Select(m => (m * Minute) + 3)),
        (2, Gen.Choose(1, 48).Select(h => h * Hour)),
        (1, Gen.Choose(1, 10).Select(d => d * Day)));

    private static Gen<MessageSpec> MessageGen(Person person) => Gen.Frequency(
        (8, TrackGen(person)),
        (4, IdentifyGen(person)),
        (3, AliasGen(person)),
        (1, from ids in IdsGen(person)
            from name in Gen.Elements("home", "purchase")
            from plan in PlanPropertyGen
            from time in TimeGen
            from id in IdGen
            select new MessageSpec(MessageKind.Page, ids.UserId, ids.AnonymousId, null, name, plan, Value.Null, time, id)),
        (1, from ids in IdsGen(person)
            from time in TimeGen
            from id in IdGen
            select new MessageSpec(MessageKind.Screen, ids.UserId, ids.AnonymousId, null, "main", Value.Object([]), Value.Null, time, id)),
        (1, from ids in IdsGen(person)
            from time in TimeGen
            from id in IdGen
            select new MessageSpec(MessageKind.Group, ids.UserId, ids.AnonymousId, null, null, Value.Null,
                Obj(("plan", Value.String("corp"))), time, id)));

    /// <summary>
    /// A person's anonymous id alone, then their user id alone (sometimes with a second anonymous
    /// id), then both: two profiles, then a merge (or a guard conflict).
    /// </summary>
    private static Gen<MessageSpec[]> MergeGen(Person person) =>
        from anonymousOnly in TrackGen(person)
        from userOnly in Gen.OneOf(TrackGen(person), IdentifyGen(person))
        from both in Gen.OneOf(TrackGen(person), IdentifyGen(person), AliasGen(person))
        from anonymousId in Gen.Elements(person.AnonymousIds)
        from second in Gen.Elements(AnonymousPool.Select(a => (string?)a).Append(null).Append(null).ToArray())
        from userId in person.UserIds.Length > 0 ? Gen.Elements(person.UserIds) : Gen.Elements(UserPool)
        select new[]
        {
            anonymousOnly with { UserId = null, AnonymousId = anonymousId },
            userOnly with { UserId = userId, AnonymousId = second == anonymousId ? null : second },
            both.Kind == MessageKind.Alias ? both with { UserId = userId, PreviousId = anonymousId } : both with { UserId = userId, AnonymousId = anonymousId },
        };

    private static Gen<MessageSpec> TrackGen(Person person) =>
        from ids in IdsGen(person)
        from name in Gen.Frequency((4, Gen.Constant("purchase")), (3, Gen.Constant("app_open")), (1, Gen.Constant("signup")))
        from amount in AmountGen
        from plan in Gen.Frequency((3, Gen.Elements("free", "pro", "team").Select(p => (string?)p)), (2, Gen.Constant((string?)null)))
        from price in Gen.Frequency((3, Gen.Constant(Missing)), (2, Gen.Elements(1.0, 9.5, 40.0).Select(Value.Number)), (1, Gen.Constant(Value.String("9"))))
        from time in TimeGen
        from id in IdGen
        select new MessageSpec(MessageKind.Track, ids.UserId, ids.AnonymousId, null, name, Properties(amount, plan, price), Value.Null, time, id);

    private static Gen<MessageSpec> IdentifyGen(Person person) =>
        from ids in Gen.Frequency((6, IdsGen(person)), (1, Gen.Constant<(string? UserId, string? AnonymousId)>((null, null))))
        from plan in Gen.Frequency(
            (3, Gen.Elements("free", "pro", "team").Select(Value.String)),
            (1, Gen.Constant(Value.Null)),
            (2, Gen.Constant(Missing)))
        from email in Gen.Frequency(
            (4, person.Emails.Length > 0 ? Gen.Elements(person.Emails).Select(Value.String) : Gen.Constant(Missing)),
            (1, Gen.Elements(EmailPool).Select(Value.String)),
            (1, Gen.Constant(Value.String(""))),
            (3, Gen.Constant(Missing)))
        from address in Gen.Frequency(
            (3, Gen.Constant(Missing)),
            (1, Gen.Elements("Oslo", "Rome").Select(city => Obj(("city", Value.String(city))))),
            (1, Gen.Constant(Obj(("zip", Value.String("0150"))))))
        from nullTraits in Gen.Frequency((12, Gen.Constant(false)), (1, Gen.Constant(true)))
        from time in TimeGen
        from id in IdGen
        select new MessageSpec(MessageKind.Identify, ids.UserId, ids.AnonymousId, null, null, Value.Null,
            nullTraits ? Value.Null : Traits(plan, email, address), time, id);

    private static Gen<MessageSpec> AliasGen(Person person) =>
        from previous in Gen.Frequency(
            (3, Gen.Elements(person.AnonymousIds)),
            (1, person.UserIds.Length > 0 ? Gen.Elements(person.UserIds) : Gen.Elements(UserPool)),
            (2, Gen.Elements(UserPool.Concat(AnonymousPool).ToArray())),
            (1, Gen.Elements(Junk)))
        from userId in Gen.Frequency(
            (4, person.UserIds.Length > 0 ? Gen.Elements(person.UserIds) : Gen.Elements(UserPool)),
            (2, Gen.Elements(UserPool)),
            (1, Gen.Elements(Junk)))
        from time in TimeGen
        from id in IdGen
        select new MessageSpec(MessageKind.Alias, userId, null, previous, null, Value.Null, Value.Null, time, id);

    private static Gen<(string? UserId, string? AnonymousId)> IdsGen(Person person)
    {
        var userId = person.UserIds.Length > 0 ? Gen.Elements(person.UserIds).Select(u => (string?)u) : Gen.Constant((string?)null);
        var anonymousId = Gen.Elements(person.AnonymousIds).Select(a => (string?)a);
        var junk = Gen.Elements(Junk).Select(j => (string?)j);
        return Gen.Frequency(
            (3, userId.Zip(anonymousId)),
            (4, userId.Select(u => (u, (string?)null))),
            (4, anonymousId.Select(a => ((string?)null, a))),
            (1, userId.Zip(junk)),
            (1, junk.Zip(anonymousId)),
            (1, Gen.OneOf(Gen.Constant((string?)null), junk).Two()));
    }

    private static readonly Value Missing = Value.String("\u0000missing");

    private static Gen<Value> AmountGen => Gen.Frequency(
        (6, Gen.Elements(-5.0, 0.0, 3.0, 10.0, 10.5, 11.0, 25.0, 60.0, 120.25).Select(Value.Number)),
        (1, Gen.Elements("12", "abc").Select(Value.String)),
        (1, Gen.Constant(Value.True)),
        (1, Gen.Constant(Value.Null)),
        (3, Gen.Constant(Missing)));

    private static Gen<Value> PlanPropertyGen => Gen.Frequency(
        (1, Gen.Elements("free", "pro").Select(p => Obj(("plan", Value.String(p))))),
        (2, Gen.Constant(Value.Null)));

    private static Gen<IdSpec> IdGen => Gen.Frequency(
        (7, Gen.Constant(new IdSpec(IdKind.Fresh))),
        (2, Gen.Constant(new IdSpec(IdKind.Assigned))),
        (1, Gen.Choose(0, 1000).Select(pick => new IdSpec(IdKind.Reuse, pick))));

    /// <summary>Timestamps: none, late (up to 40 days), slightly late, near future, far future, shared anchors, device skew.</summary>
    public static Gen<TimeSpec> TimeGen => Gen.Frequency(
        (6, Gen.Constant(TimeSpec.Now)),
        (3, from seconds in Gen.Choose(0, 40 * 24 * 3600)
            from sub in Gen.Choose(0, 9_999_999)
            select new TimeSpec(TimeKind.Relative, -((seconds * Second) + sub))),
        (1, Gen.Choose(0, 600_000).Select(ms => new TimeSpec(TimeKind.Relative, -ms * Ms))),
        (1, Gen.Frequency(
                (1, Gen.Choose(1, 300_000).Select(ms => ms * Ms)),
                (1, Gen.Elements(5 * Minute, (5 * Minute) + 5_000, (5 * Minute) + Ms, (5 * Minute) + Ms - 1, (5 * Minute) - Ms)))
            .Select(ticks => new TimeSpec(TimeKind.Relative, ticks))),
        (1, Gen.Choose(5 * 60 + 1, 3 * 24 * 3600).Select(s => new TimeSpec(TimeKind.Relative, s * Second))),
        (3, Gen.Choose(-8 * 4, 30 * 4).Select(quarterDays => new TimeSpec(TimeKind.Anchor, quarterDays * 6 * Hour))),
        (2, from a in Gen.Choose(-3 * 24 * 60, 3 * 24 * 60)
            from b in Gen.Choose(-3 * 24 * 60, 3 * 24 * 60)
            from subA in Gen.Choose(0, 20_000)
            from subB in Gen.Choose(0, 20_000)
            select new TimeSpec(TimeKind.SentAt, (a * Minute) + subA, (b * Minute) + subB)),
        (1, Gen.Choose(-3 * 24 * 60, 3 * 24 * 60).Select(b => new TimeSpec(TimeKind.SentAtOnly, 0, b * Minute))));

    private static Gen<FinalCheck> FinalGen => Gen.Frequency(
        (3, AdvanceGen.Select(t => new FinalCheck(FinalKind.Advance, t))),
        (1, Gen.Choose(1, 35).Select(d => new FinalCheck(FinalKind.Advance, d * Day))),
        (4, from pick in Gen.Choose(0, 1000)
            from window in Gen.Choose(0, DifferentialDefinitions.EdgeWindows.Length - 1)
            from delta in Gen.Elements(-Ms, -1L, 0L, 1L, Ms)
            select new FinalCheck(FinalKind.WindowEdge, delta, pick, window)),
        (1, Gen.Elements(-Ms, 0L, Ms).Select(delta => new FinalCheck(FinalKind.Midnight, delta))));

    private static Value Properties(Value amount, string? plan, Value price)
    {
        var properties = new List<(string, Value)>();
        if (price != Missing)
        {
            properties.Add(("item", Obj(("price", price))));
        }

        if (amount != Missing)
        {
            properties.Add(("amount", amount));
        }

        if (plan is not null)
        {
            properties.Add(("plan", Value.String(plan)));
        }

        return Obj([.. properties]);
    }

    private static Value Traits(Value plan, Value email, Value address)
    {
        var traits = new List<(string, Value)>();
        if (address != Missing)
        {
            traits.Add(("address", address));
        }

        if (plan != Missing)
        {
            traits.Add(("plan", plan));
        }

        if (email != Missing)
        {
            traits.Add(("email", email));
        }

        return Obj([.. traits]);
    }

    public static Value Obj(params (string Key, Value Value)[] properties) =>
        Value.Object(properties.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    /// <summary>
    /// Shrinks toward fewer operations (halves, then single ones), fewer final checks, simpler
    /// timestamps and ids, batches split into single sends, and definitions saved first.
    /// </summary>
    public static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var ops = scenario.Ops;
        Scenario With(ImmutableArray<Op> newOps) =>
            scenario with { Ops = newOps, DefinitionsAt = Math.Min(scenario.DefinitionsAt, newOps.Length) };

        if (ops.Length >= 4)
        {
            var half = ops.Length / 2;
            yield return With(ops[half..]);
            yield return With(ops[..half]);
        }

        for (var i = ops.Length - 1; i >= 0; i--)
        {
            var removed = ops.RemoveAt(i);
            yield return scenario with
            {
                Ops = removed,
                DefinitionsAt = scenario.DefinitionsAt > i ? scenario.DefinitionsAt - 1 : Math.Min(scenario.DefinitionsAt, removed.Length),
            };
        }

        for (var i = scenario.Finals.Length - 1; i >= 0; i--)
        {
            yield return scenario with { Finals = scenario.Finals.RemoveAt(i) };
        }

        if (scenario.DefinitionsAt > 0)
        {
            yield return scenario with { DefinitionsAt = 0 };
        }

        for (var i = 0; i < ops.Length; i++)
        {
            switch (ops[i])
            {
                case SendOp { Batch: true } batch:
                    yield return With(ops.RemoveAt(i).InsertRange(i, batch.Messages.Select(m => (Op)new SendOp([m], false))));
                    break;
                case ConcurrentOp concurrent:
                    yield return With(ops.RemoveAt(i).InsertRange(i, concurrent.Messages.Select(m => (Op)new SendOp([m], false))));
                    break;
                case SendOp { Messages: [var message] }:
                    foreach (var simpler in SimplerMessages(message))
                    {
                        yield return With(ops.SetItem(i, new SendOp([simpler], false)));
                    }

                    break;
                case AdvanceOp { Ticks: > 0 } advance when advance.Ticks % Ms != 0 || advance.Ticks > Second:
                    yield return With(ops.SetItem(i, new AdvanceOp(advance.Ticks > Second ? advance.Ticks / 2 / Ms * Ms : advance.Ticks / Ms * Ms)));
                    break;
            }
        }
    }

    private static IEnumerable<MessageSpec> SimplerMessages(MessageSpec message)
    {
        if (message.Time.Kind != TimeKind.None)
        {
            yield return message with { Time = TimeSpec.Now };
        }

        if (message.Id.Kind != IdKind.Fresh)
        {
            yield return message with { Id = new IdSpec(IdKind.Fresh) };
        }

        if (message.AnonymousId is not null && message.UserId is not null)
        {
            yield return message with { AnonymousId = null };
            yield return message with { UserId = null };
        }

        if (message.Properties.Properties is { Count: > 0 } properties)
        {
            foreach (var key in properties.Keys)
            {
                yield return message with { Properties = Value.Object(properties.Where(p => p.Key != key)) };
            }
        }

        if (message.Traits.Properties is { Count: > 0 } traits)
        {
            foreach (var key in traits.Keys)
            {
                yield return message with { Traits = Value.Object(traits.Where(p => p.Key != key)) };
            }
        }
    }
}
