using System.Collections.Immutable;
using TinyCdp.Definitions;
using TinyCdp.Engine.Cache;
using TinyCdp.Evaluation;
using TinyCdp.Language;

namespace TinyCdp.Engine.Reading;

/// <summary>
/// Previews a draft expression: compiles the catalog with the draft added under a key no expression can
/// name (exactly what a save compiles, so the errors are the save's), then evaluates it over a random
/// sample of stored profiles at one instant. Sampled profiles are read in batches and replayed for the
/// draft's catalog, like the backfill's read-ahead, and never enter the cache: a preview of 10,000
/// profiles neither evicts the hot ones nor keeps the cold ones. Cached profiles are read from the store
/// too, since their aggregators serve the saved catalog, which lacks the draft's aggregates.
/// </summary>
internal sealed class DefinitionPreviews(EngineContext engine, ProfileLoader loader)
{
    /// <summary>The largest sample (CONSOLE.md: up to 10,000 profiles).</summary>
    public const int MaxSampleSize = 10_000;

    /// <summary>How many matched profiles a preview lists.</summary>
    public const int MaxMatches = 10;

    /// <summary>Profiles per batched store read (the SQLite store's chunk of one command).</summary>
    private const int BatchSize = 500;

    public async Task<DefinitionPreview> PreviewAsync(DefinitionKind kind, string expression, int sampleSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleSize, MaxSampleSize);

        // A key outside the user's reach: nothing can read the draft, so it adds no cycle and shadows nothing.
        var key = "_preview_" + Guid.NewGuid().ToString("N");
        var current = engine.Catalog;
        var definitions = current.Definitions;
        definitions = kind switch
        {
            DefinitionKind.Trait => definitions with { Traits = [.. definitions.Traits, new TraitDefinition(key, expression)] },
            DefinitionKind.Segment => definitions with { Segments = [.. definitions.Segments, new SegmentDefinition(key, expression)] },
            _ => definitions with { Flags = [.. definitions.Flags, FlagDefinition.FromRule(key, expression)] },
        };

        if (!CatalogCompiler.TryCompile(definitions, current.Version, engine.Options.Retention, out var catalog, out var error))
        {
            // The draft is the only new definition, so the error is about its expression.
            return new DefinitionPreview(error.Expression ?? throw new InvalidOperationException(error.Message), null, 0, 0, []);
        }

        var draft = Draft(catalog, kind, key);
        var ids = await engine.Store.SampleProfileIdsAsync(sampleSize, cancellationToken).ConfigureAwait(false);
        var tally = new Tally(draft.Expression.ResultType);
        var now = engine.Time.GetUtcNow();
        var next = ids.Count > 0 ? engine.Store.LoadProfileStatesAsync(ids.Take(BatchSize).ToList(), cancellationToken) : null;
        for (var start = 0; next is not null; start += BatchSize)
        {
            var states = await next.ConfigureAwait(false);

            // The next batch is read while this one is replayed.
            next = start + BatchSize < ids.Count
                ? engine.Store.LoadProfileStatesAsync(ids.Skip(start + BatchSize).Take(BatchSize).ToList(), cancellationToken)
                : null;
            try
            {
                foreach (var id in ids.Skip(start).Take(BatchSize))
                {
                    cancellationToken.ThrowIfCancellationRequested();

                    // Deleted or absorbed since it was sampled: not a stored profile any more.
                    if (states.TryGetValue(id, out var state) && state.Profile.MergedInto is null)
                    {
                        var prepared = loader.Prepare(state, catalog, now - EngineContext.CompactionMargin);
                        var snapshot = new ProfileSnapshot(id, state.Profile.CreatedAt, [.. prepared.Identifiers], prepared.Properties, catalog,
                            prepared.Aggregates.Evaluate(now), prepared.Memberships.ToImmutableDictionary(m => m.Segment, StringComparer.Ordinal), state.Profile.Version);
                        tally.Add(snapshot, draft.Evaluate(ProfileEvaluationContext.Rent(snapshot, now)));
                    }
                }
            }
            catch (Exception) when (next is not null)
            {
                // Cancelled mid-way: the read ahead must not fail unobserved.
                _ = next.ContinueWith(static read => read.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }
        }

        return new DefinitionPreview(null, tally.ResultType, tally.Sampled, tally.Matched, tally.Matches);
    }

    /// <summary>The counts and the first matches of a preview.</summary>
    private sealed class Tally(ExprType resultType)
    {
        public ExprType ResultType => resultType;

        public int Sampled { get; private set; }

        public int Matched { get; private set; }

        public List<PreviewMatch> Matches { get; } = [];

        /// <summary>A bool draft matches when true; any other trait when not null.</summary>
        public void Add(ProfileSnapshot snapshot, Value value)
        {
            Sampled++;
            if (resultType == ExprType.Bool ? value.IsTrue : !value.IsNull)
            {
                Matched++;
                if (Matches.Count < MaxMatches)
                {
                    Matches.Add(new PreviewMatch(snapshot.Id, snapshot.UserId, snapshot.AnonymousId, value));
                }
            }
        }
    }

    /// <summary>The draft in the compiled catalog, and how to evaluate it on a profile.</summary>
    private static (CompiledExpression Expression, Func<ProfileEvaluationContext, Value> Evaluate) Draft(CatalogSnapshot catalog, DefinitionKind kind, string key)
    {
        switch (kind)
        {
            case DefinitionKind.Trait:
                var trait = catalog.FindTrait(key)!;
                return (trait.Expression, context => context.GetTrait(trait.Slot));
            case DefinitionKind.Segment:
                var segment = catalog.FindSegment(key)!;
                return (segment.Rule, context => context.GetSegment(segment.Slot) ? Value.True : Value.False);
            default:
                var rule = catalog.FindFlag(key)!.Rules[0].When;
                return (rule, context => rule.Evaluate(context));
        }
    }
}
