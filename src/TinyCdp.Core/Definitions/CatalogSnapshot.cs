using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>
/// An immutable, versioned, compiled set of definitions, swapped atomically when a definition is
/// saved. Applications read its <see cref="Version"/>, the <see cref="Definitions"/> as saved and the
/// <see cref="Retention"/>; the compiled traits, segments and flags are the engine's. Traits and
/// segments are in dependency order (everything a definition reads comes before it), so they can be
/// evaluated front to back; evaluation never parses.
/// </summary>
public sealed class CatalogSnapshot
{
    private readonly Dictionary<string, CompiledTrait> _traitsByKey;
    private readonly Dictionary<string, CompiledSegment> _segmentsByKey;
    private readonly Dictionary<string, CompiledFlag> _flagsByKey;
    private readonly Dictionary<(DefinitionKind, string), List<string>> _dependents;

    internal CatalogSnapshot(long version, IReadOnlyList<CompiledTrait> traits, IReadOnlyList<CompiledSegment> segments,
        IReadOnlyList<CompiledFlag> flags, AggregateRegistry aggregates, TimeSpan? retention)
    {
        Version = version;
        Traits = traits;
        Segments = segments;
        Flags = flags;
        Aggregates = aggregates.Requirements;
        Retention = retention;
        _traitsByKey = traits.ToDictionary(t => t.Key, StringComparer.Ordinal);
        _segmentsByKey = segments.ToDictionary(s => s.Key, StringComparer.Ordinal);
        _flagsByKey = flags.ToDictionary(f => f.Key, StringComparer.Ordinal);
        _dependents = [];
        foreach (var trait in traits)
        {
            AddDependents($"trait {trait.Key}", trait.Expression);
        }

        foreach (var segment in segments)
        {
            AddDependents($"segment {segment.Key}", segment.Rule);
        }

        foreach (var flag in flags)
        {
            foreach (var rule in flag.Rules)
            {
                AddDependents($"flag {flag.Key}", rule.When);
            }
        }

        void AddDependents(string dependent, CompiledExpression expression)
        {
            foreach (var trait in expression.TraitReferences)
            {
                Add((DefinitionKind.Trait, trait), dependent);
            }

            foreach (var segment in expression.SegmentReferences)
            {
                Add((DefinitionKind.Segment, segment), dependent);
            }
        }

        void Add((DefinitionKind, string) target, string dependent)
        {
            if (!_dependents.TryGetValue(target, out var list))
            {
                _dependents[target] = list = [];
            }

            if (!list.Contains(dependent))
            {
                list.Add(dependent);
            }
        }
    }

    /// <summary>An empty catalog at version 0.</summary>
    internal static CatalogSnapshot Empty { get; } = new(0, [], [], [], new AggregateRegistry(), null);

    /// <summary>The catalog version; every saved change increments it.</summary>
    public long Version { get; }

    /// <summary>Traits in dependency order; <see cref="CompiledTrait.Slot"/> is the index.</summary>
    internal IReadOnlyList<CompiledTrait> Traits { get; }

    /// <summary>Segments in dependency order; <see cref="CompiledSegment.Slot"/> is the index.</summary>
    internal IReadOnlyList<CompiledSegment> Segments { get; }

    /// <summary>Flags, ordered by key.</summary>
    internal IReadOnlyList<CompiledFlag> Flags { get; }

    /// <summary>Every aggregate any definition reads, in slot order: what each profile maintains.</summary>
    internal IReadOnlyList<AggregateRequirement> Aggregates { get; }

    /// <summary>The event retention the catalog was checked against.</summary>
    public TimeSpan? Retention { get; }

    /// <summary>A trait by key.</summary>
    internal CompiledTrait? FindTrait(string key) => _traitsByKey.GetValueOrDefault(key);

    /// <summary>A segment by key.</summary>
    internal CompiledSegment? FindSegment(string key) => _segmentsByKey.GetValueOrDefault(key);

    /// <summary>A flag by key.</summary>
    internal CompiledFlag? FindFlag(string key) => _flagsByKey.GetValueOrDefault(key);

    /// <summary>The definitions that read a trait or segment, as <c>"segment vip"</c>, <c>"flag beta"</c> …</summary>
    internal IReadOnlyList<string> DependentsOf(DefinitionKind kind, string key) =>
        _dependents.TryGetValue((kind, key), out var list) ? list : [];

    /// <summary>The definitions as saved.</summary>
    public CatalogDefinitions Definitions => new(
        Traits.Select(t => t.Definition).OrderBy(t => t.Key, StringComparer.Ordinal).ToList(),
        Segments.Select(s => s.Definition).OrderBy(s => s.Key, StringComparer.Ordinal).ToList(),
        Flags.Select(f => f.Definition).ToList());
}
