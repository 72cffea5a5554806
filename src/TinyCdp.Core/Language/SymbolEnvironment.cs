namespace TinyCdp.Language;

/// <summary>
/// What an expression may refer to: the traits (with types) and segments that exist, the
/// <c>context.*</c> names allowed in flag rules, the event retention, and where aggregates are
/// registered. Build it, then compile against it; do not change it while compiling.
/// </summary>
public sealed class SymbolEnvironment
{
    private readonly Dictionary<string, TraitSymbol> _traits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _segments = new(StringComparer.Ordinal);
    private HashSet<string>? _contextNames;

    /// <summary>Creates an environment with no traits or segments and an unlimited retention.</summary>
    public SymbolEnvironment()
        : this(null)
    {
    }

    /// <summary>Creates an environment whose aggregates get their slots from <paramref name="aggregates"/> (the catalog's shared registry).</summary>
    internal SymbolEnvironment(AggregateRegistry? aggregates) => Aggregates = aggregates ?? new AggregateRegistry();

    /// <summary>Where aggregate requirements get their slots; share one per catalog.</summary>
    internal AggregateRegistry Aggregates { get; }

    /// <summary>How long events are kept; windows longer than this are rejected. Null means forever.</summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>The traits that exist.</summary>
    internal IReadOnlyDictionary<string, TraitSymbol> Traits => _traits;

    /// <summary>The segments that exist, with their slots.</summary>
    internal IReadOnlyDictionary<string, int> Segments => _segments;

    /// <summary>The <c>context.*</c> names flag rules may read; null (the default) allows any name.</summary>
    public IReadOnlySet<string>? ContextNames => _contextNames;

    /// <summary>Declares a trait of the given type.</summary>
    public SymbolEnvironment AddTrait(string key, ExprType type) => AddTrait(key, type, null);

    /// <summary>Declares a trait; its slot is the order of declaration unless given.</summary>
    internal SymbolEnvironment AddTrait(string key, ExprType type, int? slot)
    {
        _traits[key] = new TraitSymbol(slot ?? _traits.Count, type);
        return this;
    }

    /// <summary>Declares a segment.</summary>
    public SymbolEnvironment AddSegment(string key) => AddSegment(key, null);

    /// <summary>Declares a segment; its slot is the order of declaration unless given.</summary>
    internal SymbolEnvironment AddSegment(string key, int? slot)
    {
        _segments[key] = slot ?? _segments.Count;
        return this;
    }

    /// <summary>Restricts <c>context.*</c> to these names (call again to add more).</summary>
    public SymbolEnvironment AllowContext(params string[] names)
    {
        _contextNames ??= new HashSet<string>(StringComparer.Ordinal);
        _contextNames.UnionWith(names);
        return this;
    }
}
