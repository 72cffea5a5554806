using TinyCdp.Definitions;
using TinyCdp.Engine.Cache;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Language;

namespace TinyCdp.Engine.Reading;

/// <summary>
/// The reads that evaluate: decide, decide all, a trait's value, segment membership, explanations.
/// Each evaluates a snapshot at the moment of asking (or "as of"); callers make sure the engine runs.
/// </summary>
internal sealed class ProfileQueries(EngineContext engine, ProfileCache cache, SnapshotReader snapshots)
{
    public async ValueTask<Decision?> DecideAsync(CompiledFlag compiled, ProfileReference user, IReadOnlyDictionary<string, Value>? context, CancellationToken cancellationToken)
    {
        var started = engine.Time.GetTimestamp();
        var now = engine.Time.GetUtcNow();
        var snapshot = await snapshots.GetSnapshotAsync(user, now, cancellationToken).ConfigureAwait(false);
        var evaluation = ProfileEvaluationContext.Rent(snapshot, now, context);
        var decision = FlagEvaluator.Decide(compiled, evaluation, CallerOf(user), withReasons: true);
        TinyCdpMetrics.Decisions.Add(1);
        TinyCdpMetrics.DecideDuration.Record(engine.Time.GetElapsedTime(started).TotalMicroseconds);
        return decision;
    }

    public async ValueTask<IReadOnlyDictionary<string, Decision>> DecideAllAsync(CatalogSnapshot catalog, ProfileReference user, IReadOnlyCollection<string>? flags,
        IReadOnlyDictionary<string, Value>? context, CancellationToken cancellationToken)
    {
        var now = engine.Time.GetUtcNow();
        var snapshot = await snapshots.GetSnapshotAsync(user, now, cancellationToken).ConfigureAwait(false);
        var evaluation = ProfileEvaluationContext.Rent(snapshot, now, context);
        var decisions = new Dictionary<string, Decision>(StringComparer.Ordinal);
        foreach (var compiled in flags is null ? catalog.Flags : flags.Select(catalog.FindFlag).OfType<CompiledFlag>())
        {
            decisions[compiled.Key] = FlagEvaluator.Decide(compiled, evaluation, CallerOf(user), withReasons: true);
        }

        TinyCdpMetrics.Decisions.Add(decisions.Count);
        return decisions;
    }

    /// <summary>A decide from memory only: false when the profile is not cached or its snapshot no longer holds.</summary>
    public bool TryDecide(string flag, ProfileReference user, IReadOnlyDictionary<string, Value>? context, out QuickDecision decision)
    {
        decision = default;
        var catalog = engine.Catalog;
        if (catalog.FindFlag(flag) is not { } compiled || !cache.TryGetHotProfile(user, out var profileId) ||
            !cache.TryGet(profileId, out var entry) || entry.Snapshot is not { } snapshot || snapshot.Catalog != catalog)
        {
            return false;
        }

        var now = engine.Time.GetUtcNow();
        if (!snapshot.Aggregates.HoldAt(now))
        {
            return false;
        }

        var evaluation = ProfileEvaluationContext.Rent(snapshot, now, context);
        var variant = FlagEvaluator.Choose(compiled, evaluation, CallerOf(user), out var reason, out var ruleIndex);
        var allow = FlagEvaluator.Allows(compiled, variant, ruleIndex, out var value);
        decision = new QuickDecision(variant, value, allow, reason, ruleIndex);
        TinyCdpMetrics.Decisions.Add(1);
        return true;
    }

    public async ValueTask<Value> EvaluateTraitAsync(CompiledTrait compiled, ProfileReference user, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var (snapshot, at) = await snapshots.SnapshotForAsync(user, asOf, cancellationToken).ConfigureAwait(false);
        return ProfileEvaluationContext.Rent(snapshot, at).GetTrait(compiled.Slot);
    }

    public async ValueTask<bool> IsInSegmentAsync(CompiledSegment compiled, ProfileReference user, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var (snapshot, at) = await snapshots.SnapshotForAsync(user, asOf, cancellationToken).ConfigureAwait(false);
        return ProfileEvaluationContext.Rent(snapshot, at).GetSegment(compiled.Slot);
    }

    public async Task<Explanation?> ExplainAsync(CatalogSnapshot catalog, DefinitionReferenceKind kind, string key, ProfileReference user, DateTimeOffset? asOf,
        CancellationToken cancellationToken)
    {
        var (snapshot, at) = await snapshots.SnapshotForAsync(user, asOf, cancellationToken).ConfigureAwait(false);
        var context = ProfileEvaluationContext.Create(snapshot, at);
        switch (kind)
        {
            case DefinitionReferenceKind.Trait when catalog.FindTrait(key) is { } trait:
                return trait.Expression.Explain(context);
            case DefinitionReferenceKind.Segment when catalog.FindSegment(key) is { } segment:
                return segment.Rule.Explain(context);
            case DefinitionReferenceKind.Flag when catalog.FindFlag(key) is { } flag:
                var decision = FlagEvaluator.Decide(flag, context, CallerOf(user), withReasons: false);
                var rules = flag.Rules.Select((rule, i) => rule.When.Explain(context) with { Text = $"rules[{i}]: {rule.When.Text}" }).ToList();
                return new Explanation($"flag {flag.Key}", decision.Value, rules);
            default:
                return null;
        }
    }

    private static FlagEvaluator.Caller CallerOf(ProfileReference user) => user.Kind switch
    {
        IdentifierKind.UserId => new(user.Text, null),
        IdentifierKind.AnonymousId => new(null, user.Text),
        _ => user.ProfileId is null ? new(user.Text, null) : new(null, null),
    };
}
