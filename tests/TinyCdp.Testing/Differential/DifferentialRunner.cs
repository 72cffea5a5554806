using System.Globalization;
using System.Text;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Testing.Hosting;

namespace TinyCdp.Testing.Differential;

/// <summary>A disagreement between the engine and the oracle; the message carries the realized history.</summary>
public sealed class DifferentialFailure(string message) : Exception(message);

/// <summary>Counts of what a run exercised.</summary>
public sealed class RunStatistics
{
    public int Accepted { get; set; }

    public int Rejected { get; set; }

    public int Duplicates { get; set; }

    public int Merges { get; set; }

    public int Checks { get; set; }

    public int Dropped { get; set; }

    public int TiedMerges { get; set; }

    public int SameCommitMerges { get; set; }

    public int AmbiguousDuplicates { get; set; }

    public int Comparisons { get; set; }

    public override string ToString() =>
        $"accepted {Accepted}, rejected {Rejected}, duplicates {Duplicates} ({AmbiguousDuplicates} after the window), merges {Merges} ({TiedMerges} tied), same-commit merges {SameCommitMerges}, guard drops {Dropped}, checks {Checks}, comparisons {Comparisons}";
}

/// <summary>How a run is set up.</summary>
/// <param name="Restarts">Honour <see cref="RestartOp"/> (the store keeps data across engines).</param>
/// <param name="FinalRestart">After the final checks, restart once more and require identical values.</param>
/// <param name="TwoNodes">
/// Two engines on one shared store (<see cref="IDifferentialStore.Open"/> called once per node):
/// operations alternate between them, and each check runs on one of them after it caught up.
/// </param>
public sealed record RunOptions(bool Restarts, bool FinalRestart, bool TwoNodes = false);

/// <summary>
/// Plays a <see cref="Scenario"/> against an engine and the <see cref="NaiveOracle"/> side by side
/// and compares:
/// <list type="bullet">
/// <item><description>every send: accepted or rejected, duplicate or not, and which profile each message went to
/// (new, existing, or the survivor of a merge: the oldest);</description></item>
/// <item><description>after every send (once definitions exist): the stored membership of the profiles written,
/// read through the change feed, and that absorbed profiles left every segment;</description></item>
/// <item><description>at every check: every trait, segment and flag decision (variant, value, allow, reason, rule)
/// for every pool identifier as a user id and as an anonymous id (and <c>Any</c>), the profile id behind it,
/// profile ids of live and absorbed profiles, and flag <c>validUntil</c> (an answer that changes between two
/// checks with no message in between must have announced it);</description></item>
/// <item><description>after every final check: traits and segments "as of" past instants;</description></item>
/// <item><description>after a final restart: every value identical to before it.</description></item>
/// </list>
/// </summary>
public sealed class DifferentialRunner
{
    private readonly Scenario _scenario;
    private readonly IDifferentialStore _store;
    private readonly RunOptions _options;
    private readonly NaiveOracle _oracle;
    private readonly List<string> _log = [];
    private readonly Dictionary<OracleProfile, Guid> _guids = [];
    private readonly Dictionary<OracleProfile, Guid> _absorbedGuids = [];
    private readonly Dictionary<OracleProfile, int> _sessions = [];
    private readonly Dictionary<(Guid Profile, string Segment), bool> _memberships = [];
    private readonly List<CdpMessage> _sent = [];
    private readonly List<string> _usedIds = [];
    private DifferentialDefinitions _definitions;
    private EngineHost _host;
    private EngineHost? _peer;
    private int _turns;
    private int _session;
    private int _fresh;
    private bool _saved;
    private bool _restartUnsafe;
    private long _cursor;
    private Dictionary<(string Flag, string Reference), (ExpectedDecision Answer, DateTimeOffset? ValidUntil, DateTimeOffset At)>? _previous;

    private DifferentialRunner(Scenario scenario, IDifferentialStore store, RunOptions options)
    {
        _scenario = scenario;
        _store = store;
        _options = options;
        _definitions = new DifferentialDefinitions(scenario.Params);
        _oracle = new NaiveOracle(scenario.Settings.DedupeWindow);
        _host = NewHost(EngineHost.Start);
        _peer = options.TwoNodes ? NewHost(_host.Clock) : null;
    }

    /// <summary>The node the next operation goes to (always the one host with a single node).</summary>
    private EngineHost Next => _peer is not null && _turns++ % 2 == 1 ? _peer : _host;

    /// <summary>Merges whose survivor the run could not predict (equal milliseconds across a restart).</summary>
    public int TiedMerges { get; private set; }

    private DateTimeOffset Now => _host.Clock.GetUtcNow();

    /// <summary>What the run exercised (for classification).</summary>
    public RunStatistics Statistics { get; } = new();

    /// <summary>Runs the scenario; throws <see cref="DifferentialFailure"/> at the first disagreement.</summary>
    public static async Task<DifferentialRunner> RunAsync(Scenario scenario, IDifferentialStore store, RunOptions options)
    {
        var runner = new DifferentialRunner(scenario, store, options);
        try
        {
            await runner.RunAsync();
        }
        finally
        {
            await runner._host.DisposeAsync();
            if (runner._peer is not null)
            {
                await runner._peer.DisposeAsync();
            }
        }

        runner.Statistics.Dropped = runner._oracle.Dropped;
        runner.Statistics.TiedMerges = runner.TiedMerges;
        runner.Statistics.AmbiguousDuplicates = runner._oracle.AmbiguousDuplicates;
        return runner;
    }

    private async Task RunAsync()
    {
        var ops = _scenario.Ops;
        for (var i = 0; i <= ops.Length; i++)
        {
            if (i == Math.Min(_scenario.DefinitionsAt, ops.Length))
            {
                await _definitions.SaveAsync(Next.Cdp);
                _saved = true;
                _previous = null;
                Log("save definitions");
            }

            if (i == ops.Length)
            {
                break;
            }

            switch (ops[i])
            {
                case SendOp { Batch: true } batch:
                    await SendAsync([.. batch.Messages.Select(Realize)], true);
                    break;
                case SendOp send:
                    foreach (var message in send.Messages)
                    {
                        await SendAsync([Realize(message)], false);
                    }

                    break;
                case ConcurrentOp concurrent:
                    await SendConcurrentlyAsync([.. concurrent.Messages.Select(Realize)]);
                    break;
                case ResendOp resend when _sent.Count > 0:
                    await SendAsync([_sent[resend.Pick % _sent.Count]], false);
                    break;
                case AdvanceOp advance:
                    _host.Clock.Advance(TimeSpan.FromTicks(advance.Ticks));
                    break;
                case RedefineOp redefine:
                    _definitions = new DifferentialDefinitions(redefine.Params);
                    if (_saved)
                    {
                        await _definitions.SaveAsync(Next.Cdp);
                        _previous = null;
                        Log("redefine " + redefine.Params);
                    }

                    break;
                case CheckOp when _saved:
                    await CheckAsync("check");
                    break;
                case RestartOp when _options.Restarts:
                    await RestartAsync();
                    break;
            }
        }

        var times = _oracle.AllEvents.Where(e => e.IsAggregated).Select(e => e.Time).Distinct().Order().ToList();
        foreach (var final in _scenario.Finals)
        {
            // A window edge still ahead: some event's time plus the chosen window (else any window), plus the delta.
            var window = DifferentialDefinitions.EdgeWindows[final.Window % DifferentialDefinitions.EdgeWindows.Length];
            var edges = times.Select(t => t + window + TimeSpan.FromTicks(final.Ticks)).Where(t => t > Now).ToList();
            if (edges.Count == 0)
            {
                edges = [.. times.SelectMany(t => DifferentialDefinitions.EdgeWindows.Select(w => t + w + TimeSpan.FromTicks(final.Ticks))).Where(t => t > Now).Order()];
            }

            var target = final.Kind switch
            {
                FinalKind.Advance => Now.AddTicks(final.Ticks),
                FinalKind.WindowEdge when edges.Count > 0 => edges[final.Pick % edges.Count],
                FinalKind.Midnight => NextMidnight(Now, _scenario.Settings.TimeZone).AddTicks(final.Ticks),
                _ => Now,
            };
            if (target > Now)
            {
                _host.Clock.SetUtcNow(target);
            }

            await CheckAsync(final.ToString());

            // "As of" a past instant: an event time (the edge itself) and just before it.
            var past = times.Where(t => t < Now).ToList();
            if (past.Count > 0)
            {
                var asOf = past[final.Pick % past.Count];
                await CheckAsOfAsync(asOf);
                await CheckAsOfAsync(asOf.AddTicks(-1));
            }
        }

        if (_options.FinalRestart && !_restartUnsafe)
        {
            var before = await CheckAsync("before final restart");
            await RestartAsync();
            var after = await CheckAsync("after final restart");
            foreach (var (key, value) in before)
            {
                if (!after.TryGetValue(key, out var again) || again != value)
                {
                    Fail($"after a restart {key} is {again}, before it was {value}");
                }
            }
        }
    }

    private static DateTimeOffset NextMidnight(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date.AddDays(1);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }

    private async Task RestartAsync()
    {
        if (_restartUnsafe)
        {
            Log("restart skipped (known engine bug: identifiers left on a profile absorbed in the same commit)");
            return;
        }

        var now = Now;
        await _host.DisposeAsync();
        _host = NewHost(now);
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
            _peer = NewHost(_host.Clock);
        }

        _session++;
        Log("restart");
    }

    private EngineHost NewHost(DateTimeOffset now) => new(_store.Open(), now, Configure);

    private EngineHost NewHost(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock) => new(_store.Open(), clock, Configure);

    private void Configure(TinyCdp.Engine.TinyCdpOptions o)
    {
        o.DedupeWindow = _scenario.Settings.DedupeWindow;
        o.TimeZone = _scenario.Settings.TimeZone;
    }

    private CdpMessage Realize(MessageSpec spec)
    {
        var received = Now;
        DateTimeOffset? timestamp = spec.Time.Kind switch
        {
            TimeKind.Relative or TimeKind.SentAt => received.AddTicks(spec.Time.A),
            TimeKind.Anchor => EngineHost.Start.AddTicks(spec.Time.A),
            _ => null,
        };
        DateTimeOffset? sentAt = spec.Time.Kind is TimeKind.SentAt or TimeKind.SentAtOnly ? received.AddTicks(spec.Time.B) : null;
        if (spec.Kind == MessageKind.Identify)
        {
            // An identify whose event time would still be ahead of the clock (less than 5 minutes
            // ahead, so not clamped) is sent without a timestamp: SEMANTICS.md does not say
            // whether such traits already apply now.
            if (NaiveOracle.EventTimeOf(timestamp, sentAt, received) > NaiveOracle.Milliseconds(received))
            {
                timestamp = null;
                sentAt = null;
            }
        }

        var messageId = spec.Id.Kind switch
        {
            IdKind.Assigned => null,
            IdKind.Reuse when _usedIds.Count > 0 => _usedIds[spec.Id.Pick % _usedIds.Count],
            _ => "m" + (++_fresh).ToString(CultureInfo.InvariantCulture),
        };
        if (messageId is not null)
        {
            _usedIds.Add(messageId);
        }

        return new CdpMessage
        {
            Kind = spec.Kind,
            UserId = spec.UserId,
            AnonymousId = spec.AnonymousId,
            PreviousId = spec.PreviousId,
            Event = spec.Name,
            GroupId = spec.Kind == MessageKind.Group ? "g1" : null,
            Properties = spec.Properties,
            Traits = spec.Traits,
            Timestamp = timestamp,
            SentAt = sentAt,
            MessageId = messageId,
        };
    }

    private async Task SendAsync(IReadOnlyList<CdpMessage> messages, bool batch)
    {
        var received = Now;
        var node = Next;
        var result = batch ? await node.Cdp.BatchAsync(messages) : await node.Cdp.SendAsync(messages[0]);
        var expected = _oracle.Receive(messages, received, i => result.Accepted && i < result.Items.Count && result.Items[i].Duplicate);
        await CompareAsync(messages, batch, received, expected, result, batch ? "batch [" : "send ");
    }

    /// <summary>Each message its own send, all started before any is awaited: possibly one group commit.</summary>
    private async Task SendConcurrentlyAsync(IReadOnlyList<CdpMessage> messages)
    {
        var received = Now;
        // Concurrent sends go to one node: the oracle takes them in the order the node queues them.
        var node = Next;
        var tasks = messages.Select(m => node.Cdp.SendAsync(m)).ToList();
        var results = await Task.WhenAll(tasks);
        var outcomes = messages.Select((m, i) => _oracle.Receive([m], received, _ => results[i].Accepted && results[i].Items[0].Duplicate)).ToList();
        var accepted = outcomes.Where(o => o.Accepted).ToList();

        // Compared as one all-accepted "batch" of the accepted ones, and each rejected one alone.
        for (var i = 0; i < messages.Count; i++)
        {
            if (outcomes[i].Accepted != results[i].Accepted)
            {
                Log($"concurrent #{i} {Describe(messages[i])}");
                Fail($"concurrent message {i}: accepted = {results[i].Accepted} ({results[i].Error?.Message}), expected {outcomes[i].Accepted}");
            }
        }

        var merged = new OracleOutcome(true, [.. accepted.SelectMany(o => o.Items)]);
        var result = new TinyCdp.Engine.BatchResult([.. results.Where(r => r.Accepted).SelectMany(r => r.Items)], null);
        await CompareAsync([.. messages.Where((_, i) => outcomes[i].Accepted)], true, received, merged, result, "concurrent [");
        Statistics.Rejected += outcomes.Count(o => !o.Accepted);
    }

    private async Task CompareAsync(IReadOnlyList<CdpMessage> messages, bool batch, DateTimeOffset received, OracleOutcome expected, TinyCdp.Engine.BatchResult result, string prefix)
    {
        _sent.AddRange(messages);
        _previous = null;

        var line = new StringBuilder(prefix);
        line.AppendJoin("; ", messages.Select(Describe));
        line.Append(batch ? "]" : "").Append(" -> ");
        if (!expected.Accepted)
        {
            line.Append("rejected");
        }
        else
        {
            line.AppendJoin(", ", expected.Items.Select(item => item.Duplicate ? "duplicate"
                : $"{item.Profile}{(item.Created ? " new" : "")}{(item.Absorbed.Count > 0 ? " absorbing " + string.Join(",", item.Absorbed.Select(a => "#" + a.Index)) : "")} t={item.Time:O}"));
        }

        Log(line.ToString());
        if (result.Accepted != expected.Accepted)
        {
            Fail($"accepted = {result.Accepted} ({result.Error?.Message}), expected {expected.Accepted}");
        }

        if (!expected.Accepted)
        {
            Statistics.Rejected++;
            return;
        }

        if (batch)
        {
            // A profile that this batch created or attached identifiers to, absorbed later in the same batch.
            var touched = new HashSet<OracleProfile>();
            foreach (var item in expected.Items.Where(i => !i.Duplicate))
            {
                if (item.Absorbed.Any(touched.Contains))
                {
                    Statistics.SameCommitMerges++;
                    _restartUnsafe |= KnownEngineBugs.SameCommitMergeLeavesIdentifiersOnAbsorbedProfile;
                }

                touched.Add(item.Profile!);
            }
        }

        Statistics.Duplicates += expected.Items.Count(i => i.Duplicate);
        Statistics.Accepted += expected.Items.Count(i => !i.Duplicate);
        if (result.Items.Count != expected.Items.Count)
        {
            Fail($"{result.Items.Count} results for {expected.Items.Count} messages");
        }

        for (var i = 0; i < expected.Items.Count; i++)
        {
            var item = expected.Items[i];
            var actual = result.Items[i];
            if (actual.Duplicate != item.Duplicate)
            {
                Fail($"message {i}: duplicate = {actual.Duplicate}, expected {item.Duplicate}");
            }

            if (!item.Duplicate)
            {
                TrackProfile(item, actual.ProfileId, i);
            }
        }

        if (_saved)
        {
            await CheckMembershipsAsync(expected, received);
        }
    }

    /// <summary>
    /// SEMANTICS.md §6 through the change feed: a write re-evaluates the profiles it changes, so
    /// after it the stored membership (the last entered/exited change) of each profile the
    /// messages went to is the segment's value at the receive time, and every absorbed profile is
    /// out of every segment.
    /// </summary>
    private async Task CheckMembershipsAsync(OracleOutcome outcome, DateTimeOffset received)
    {
        while (true)
        {
            var changes = await _host.Cdp.ReadChangesAsync(_cursor, 1000);
            if (changes.Count == 0)
            {
                break;
            }

            foreach (var change in changes)
            {
                _memberships[(change.ProfileId, change.Segment)] = change.Entered;
                _cursor = change.Cursor;
            }
        }

        var items = outcome.Items.Where(i => !i.Duplicate).ToList();
        foreach (var profile in items.Select(i => Live(i.Profile!)).Distinct())
        {
            var view = new OracleView(profile.Events, received, _scenario.Settings.TimeZone);
            foreach (var segment in _definitions.Segments)
            {
                var stored = _memberships.GetValueOrDefault((_guids[profile], segment.Key));
                var expected = segment.Expected(view);
                if (stored != expected)
                {
                    Fail($"stored membership of {profile} in {segment.Key} = `{segment.Rule}` after a write at {received:O}: change feed says {(stored ? "in" : "out")}, oracle {(expected ? "in" : "out")}");
                }
            }
        }

        foreach (var absorbed in items.SelectMany(i => i.Absorbed))
        {
            foreach (var segment in _definitions.Segments)
            {
                var guid = _absorbedGuids[absorbed];
                if (_memberships.GetValueOrDefault((guid, segment.Key)))
                {
                    Fail($"absorbed profile {absorbed} ({guid}) is still in {segment.Key} according to the change feed");
                }
            }
        }
    }

    private static OracleProfile Live(OracleProfile profile)
    {
        while (profile.MergedInto is { } survivor)
        {
            profile = survivor;
        }

        return profile;
    }

    /// <summary>Follows which engine profile id stands for each oracle profile.</summary>
    private void TrackProfile(OracleItem item, Guid actual, int index)
    {
        var profile = item.Profile!;
        if (item.Created)
        {
            if (_guids.ContainsValue(actual) || actual == Guid.Empty)
            {
                Fail($"message {index}: attached to existing profile {actual}, expected a new profile {profile}");
            }

            _guids[profile] = actual;
            _sessions[profile] = _session;
            return;
        }

        var candidates = item.Absorbed.Prepend(profile).Select(p => _guids[p]).ToList();
        if (!candidates.Contains(actual))
        {
            Fail($"message {index}: attached to profile {actual}, expected {profile} ({_guids[profile]})" +
                (item.Absorbed.Count > 0 ? $" after merging {string.Join(", ", item.Absorbed)}" : ""));
        }

        if (item.Absorbed.Count > 0)
        {
            // The oldest survives: the earliest creation time, and among equal milliseconds the
            // earlier arrival. Only across a restart within one millisecond (the fake clock stands
            // still; a real restart takes longer) is the order of equal milliseconds left open.
            var involved = item.Absorbed.Prepend(profile).ToList();
            var earliest = involved.Min(p => p.CreatedAt);
            var tied = involved.Where(p => p.CreatedAt == earliest).ToList();
            if (tied.Select(p => _sessions[p]).Distinct().Count() == 1)
            {
                if (actual != _guids[profile])
                {
                    Fail($"message {index}: merge kept {actual}, expected the oldest profile {profile} ({_guids[profile]}, created {profile.CreatedAt:O})");
                }
            }
            else
            {
                TiedMerges++;
            }

            Statistics.Merges++;

            foreach (var absorbed in item.Absorbed)
            {
                // The engine's absorbed profile is whichever of the merged ids did not survive.
                _absorbedGuids[absorbed] = _guids[absorbed] == actual ? _guids[profile] : _guids[absorbed];
                _guids.Remove(absorbed);
            }

            _guids[profile] = actual;
        }
    }

    /// <summary>Compares everything at the clock's instant; returns the engine's values by name.</summary>
    private async Task<Dictionary<string, string>> CheckAsync(string label)
    {
        var now = Now;
        var host = Next;
        await host.CatchUpAsync();
        var cdp = host.Cdp;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var decisions = new Dictionary<(string, string), (ExpectedDecision, DateTimeOffset?, DateTimeOffset)>();
        Log($"{label} at {now:O}");
        foreach (var text in ScenarioGenerators.ReferenceTexts)
        {
            foreach (var kind in (IdentifierKind[])[IdentifierKind.UserId, IdentifierKind.AnonymousId])
            {
                var reference = kind == IdentifierKind.UserId ? ProfileReference.ByUserId(text) : ProfileReference.ByAnonymousId(text);
                var name = $"{kind}:{text}";
                var profile = _oracle.Resolve(kind, text);
                var view = profile is null ? OracleView.Empty(now, _scenario.Settings.TimeZone) : new OracleView(profile.Events, now, _scenario.Settings.TimeZone);
                var where = profile is null ? $"{name} (unknown)" : $"{name} ({profile})";

                // Unknown people are all the same empty profile: a sample of definitions is enough.
                var traits = profile is null ? _definitions.Traits.Take(3) : _definitions.Traits;
                foreach (var trait in traits)
                {
                    var actual = await cdp.EvaluateTraitAsync(trait.Key, reference);
                    values[$"trait {trait.Key} of {name}"] = actual.ToJson();
                    var expected = trait.Expected(view);
                    if (actual != expected)
                    {
                        Fail($"trait {trait.Key} = `{trait.Expression}` for {where} at {now:O}: engine {actual.ToJson()}, oracle {expected.ToJson()}");
                    }
                }

                foreach (var segment in profile is null ? _definitions.Segments.Take(1) : _definitions.Segments)
                {
                    var actual = await cdp.IsInSegmentAsync(segment.Key, reference);
                    values[$"segment {segment.Key} of {name}"] = actual ? "true" : "false";
                    var expected = segment.Expected(view);
                    if (actual != expected)
                    {
                        Fail($"segment {segment.Key} = `{segment.Rule}` for {where} at {now:O}: engine {actual}, oracle {expected}");
                    }
                }

                var expectedId = profile is null ? Guid.Empty : _guids[profile];
                foreach (var flag in profile is null ? _definitions.Flags.Take(2) : _definitions.Flags)
                {
                    var key = flag.Definition.Key;
                    var decision = await cdp.DecideAsync(key, reference)
                        ?? throw new DifferentialFailure($"flag {key} not found");
                    var actual = ExpectedDecision.Of(decision);
                    values[$"flag {key} of {name}"] = actual.ToString();
                    var expected = flag.Expected(view);
                    if (actual != expected)
                    {
                        Fail($"flag {key} for {where} at {now:O}: engine {actual}, oracle {expected}; reasons [{string.Join(", ", decision.Reasons)}]");
                    }

                    if (decision.ProfileId != expectedId)
                    {
                        Fail($"flag {key} for {where}: decided for profile {decision.ProfileId}, expected {expectedId}");
                    }

                    if (decision.ValidUntil is { } validUntil && validUntil <= now)
                    {
                        Fail($"flag {key} for {where} at {now:O}: validUntil {validUntil:O} is not after now");
                    }

                    if (_previous is not null && _previous.TryGetValue((key, name), out var previous) && !previous.Answer.SameAnswer(expected) &&
                        (previous.ValidUntil is null || previous.ValidUntil > now))
                    {
                        Fail($"flag {key} for {where}: at {previous.At:O} it was {previous.Answer.Variant} with validUntil " +
                            $"{previous.ValidUntil?.ToString("O", CultureInfo.InvariantCulture) ?? "null"}, but at {now:O} it is {expected.Variant} with no message in between");
                    }

                    decisions[(key, name)] = (expected, decision.ValidUntil, now);
                }

                if (kind == IdentifierKind.UserId)
                {
                    // Any: a user id first, then an anonymous id.
                    var anyProfile = _oracle.Resolve(IdentifierKind.UserId, text) ?? _oracle.Resolve(IdentifierKind.AnonymousId, text);
                    var anyView = anyProfile is null ? OracleView.Empty(now, _scenario.Settings.TimeZone) : new OracleView(anyProfile.Events, now, _scenario.Settings.TimeZone);
                    var trait = _definitions.Traits.Single(t => t.Key == "mix");
                    var actual = await cdp.EvaluateTraitAsync(trait.Key, ProfileReference.Any(text));
                    if (actual != trait.Expected(anyView))
                    {
                        Fail($"trait {trait.Key} for Any({text}) ({anyProfile}) at {now:O}: engine {actual}, oracle {trait.Expected(anyView)}");
                    }
                }
            }
        }

        // Profile ids: a live one names itself; an absorbed one keeps resolving to its survivor (SEMANTICS.md §2).
        foreach (var (profile, guid) in _guids.Select(p => (p.Key, p.Value)).Concat(_absorbedGuids.Select(p => (p.Key, p.Value))))
        {
            var survivor = Live(profile);
            var view = new OracleView(survivor.Events, now, _scenario.Settings.TimeZone);
            var trait = _definitions.Traits.Single(t => t.Key == "mix");
            foreach (var reference in (ProfileReference[])[ProfileReference.ByProfileId(guid), ProfileReference.Any(guid.ToString())])
            {
                var actual = await cdp.EvaluateTraitAsync(trait.Key, reference);
                if (actual != trait.Expected(view))
                {
                    Fail($"trait {trait.Key} for profile id {guid} of {profile} (survivor {survivor}) at {now:O}: engine {actual}, oracle {trait.Expected(view)}");
                }

                var decision = await cdp.DecideAsync(_definitions.Flags[0].Definition.Key, reference);
                if (decision!.ProfileId != _guids[survivor])
                {
                    Fail($"profile id {guid} of {profile}: decided for {decision.ProfileId}, expected the survivor {survivor} ({_guids[survivor]})");
                }
            }
        }

        _previous = decisions;
        Statistics.Checks++;
        Statistics.Comparisons += values.Count;
        return values;
    }

    /// <summary>
    /// SEMANTICS.md §3 "as of T": traits and segments as if only the messages with event time
    /// ≤ T had been received (profile properties included), with today's identity graph.
    /// </summary>
    private async Task CheckAsOfAsync(DateTimeOffset asOf)
    {
        var host = Next;
        await host.CatchUpAsync();
        var cdp = host.Cdp;
        Log($"as of {asOf:O}");
        foreach (var profile in _oracle.LiveProfiles)
        {
            var identifier = profile.Identifiers.Where(i => i.Kind != IdentifierKind.EmailHash).OrderBy(i => i.Kind).ThenBy(i => i.Value, StringComparer.Ordinal).FirstOrDefault();
            if (identifier.Value is null)
            {
                continue;
            }

            var reference = identifier.Kind == IdentifierKind.UserId ? ProfileReference.ByUserId(identifier.Value) : ProfileReference.ByAnonymousId(identifier.Value);
            var view = new OracleView([.. profile.Events.Where(e => e.Time <= asOf)], asOf, _scenario.Settings.TimeZone);
            foreach (var trait in _definitions.Traits)
            {
                var actual = await cdp.EvaluateTraitAsync(trait.Key, reference, asOf);
                var expected = trait.Expected(view);
                if (actual != expected)
                {
                    Fail($"trait {trait.Key} = `{trait.Expression}` for {identifier} ({profile}) as of {asOf:O} (now {Now:O}): engine {actual.ToJson()}, oracle {expected.ToJson()}");
                }
            }

            foreach (var segment in _definitions.Segments)
            {
                var actual = await cdp.IsInSegmentAsync(segment.Key, reference, asOf);
                var expected = segment.Expected(view);
                if (actual != expected)
                {
                    Fail($"segment {segment.Key} = `{segment.Rule}` for {identifier} ({profile}) as of {asOf:O} (now {Now:O}): engine {actual}, oracle {expected}");
                }
            }

            Statistics.Comparisons += _definitions.Traits.Count + _definitions.Segments.Count;
        }
    }

    private void Log(string line) => _log.Add($"[{Now:yyyy-MM-ddTHH:mm:ss.fffffff}] {line}");

    private static string Describe(CdpMessage m)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add($"{name}: \"{value}\"");
            }
        }

        Add("userId", m.UserId);
        Add("anonymousId", m.AnonymousId);
        Add("previousId", m.PreviousId);
        Add("event", m.Event);
        if (!m.Properties.IsNull)
        {
            parts.Add("properties: " + m.Properties.ToJson());
        }

        if (!m.Traits.IsNull)
        {
            parts.Add("traits: " + m.Traits.ToJson());
        }

        Add("timestamp", m.Timestamp?.ToString("O", CultureInfo.InvariantCulture));
        Add("sentAt", m.SentAt?.ToString("O", CultureInfo.InvariantCulture));
        Add("messageId", m.MessageId);
        return $"{m.Kind} {{ {string.Join(", ", parts)} }}";
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(string what) =>
        throw new DifferentialFailure($"{what}\n{_scenario}History (receive time, realized message -> oracle outcome):\n  {string.Join("\n  ", _log)}");
}
