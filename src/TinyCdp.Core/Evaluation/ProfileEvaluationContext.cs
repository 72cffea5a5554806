using TinyCdp.Definitions;
using TinyCdp.Language;

namespace TinyCdp.Evaluation;

/// <summary>
/// Evaluates expressions for one profile snapshot at one instant. Traits and segments are computed
/// on first use and remembered for the rest of the evaluation. One instance per thread is reused
/// (<see cref="Rent"/>), so a hot decide allocates nothing here.
/// </summary>
internal sealed class ProfileEvaluationContext : IEvaluationContext
{
    [ThreadStatic]
    private static ProfileEvaluationContext? t_cached;

    private ProfileSnapshot _snapshot = null!;
    private Value[] _traits = [];
    private int[] _traitGeneration = [];
    private bool[] _segments = [];
    private int[] _segmentGeneration = [];
    private int _generation;
    private IReadOnlyDictionary<string, Value>? _context;

    private ProfileEvaluationContext()
    {
    }

    public DateTimeOffset Now { get; private set; }

    public Value Profile => _snapshot.Properties.AsValue;

    public Value EventProperties => Value.Null;

    public ProfileSnapshot Snapshot => _snapshot;

    public CatalogSnapshot Catalog => _snapshot.Catalog;

    /// <summary>
    /// The context for this thread, reset for a snapshot, an instant and request attributes. Not
    /// re-entrant: finish with one before renting again on the same thread.
    /// </summary>
    public static ProfileEvaluationContext Rent(ProfileSnapshot snapshot, DateTimeOffset now, IReadOnlyDictionary<string, Value>? context = null)
    {
        var instance = t_cached ??= new ProfileEvaluationContext();
        instance.Reset(snapshot, now, context);
        return instance;
    }

    /// <summary>A context of its own, for callers that keep it (explanations, as-of).</summary>
    public static ProfileEvaluationContext Create(ProfileSnapshot snapshot, DateTimeOffset now, IReadOnlyDictionary<string, Value>? context = null)
    {
        var instance = new ProfileEvaluationContext();
        instance.Reset(snapshot, now, context);
        return instance;
    }

    public Value GetAggregate(int slot) =>
        (uint)slot < (uint)_snapshot.Aggregates.Values.Length ? _snapshot.Aggregates.Values[slot] : Value.Null;

    public long GetAggregateEventCount(int slot) =>
        (uint)slot < (uint)_snapshot.Aggregates.Counts.Length ? _snapshot.Aggregates.Counts[slot] : 0;

    public Value GetTrait(int slot)
    {
        if (_traitGeneration[slot] != _generation)
        {
            // Mark first: a well-formed catalog has no cycles, and this keeps a broken one finite.
            _traitGeneration[slot] = _generation;
            _traits[slot] = Value.Null;
            _traits[slot] = Catalog.Traits[slot].Expression.Evaluate(this);
        }

        return _traits[slot];
    }

    public bool GetSegment(int slot)
    {
        if (_segmentGeneration[slot] != _generation)
        {
            _segmentGeneration[slot] = _generation;
            _segments[slot] = false;
            _segments[slot] = Catalog.Segments[slot].Rule.IsTrue(this);
        }

        return _segments[slot];
    }

    public Value GetContext(string name) =>
        _context is not null && _context.TryGetValue(name, out var value) ? value : Value.Null;

    public DateTimeOffset? GetTraitNextChange(int slot) => Catalog.Traits[slot].Expression.NextChange(this);

    public DateTimeOffset? GetSegmentNextChange(int slot) => Catalog.Segments[slot].Rule.NextChange(this);

    /// <summary>The earliest instant after now at which anything these values depend on could change with no new message.</summary>
    public DateTimeOffset? NextChange(Language.CompiledExpression expression) =>
        Earliest(_snapshot.Aggregates.ValidUntil, expression.NextChange(this));

    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private void Reset(ProfileSnapshot snapshot, DateTimeOffset now, IReadOnlyDictionary<string, Value>? context)
    {
        _snapshot = snapshot;
        Now = now;
        _context = context;
        var catalog = snapshot.Catalog;
        if (_traits.Length < catalog.Traits.Count)
        {
            _traits = new Value[catalog.Traits.Count];
            _traitGeneration = new int[catalog.Traits.Count];
        }

        if (_segments.Length < catalog.Segments.Count)
        {
            _segments = new bool[catalog.Segments.Count];
            _segmentGeneration = new int[catalog.Segments.Count];
        }

        if (++_generation == 0)
        {
            Array.Clear(_traitGeneration);
            Array.Clear(_segmentGeneration);
            _generation = 1;
        }
    }
}
