using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using TinyCdp.Language;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Definitions;


/// <summary>
/// Validates and compiles a whole set of definitions into a <see cref="CatalogSnapshot"/>: keys,
/// expressions, references, cycles and flag structure. A set with any error is rejected whole.
/// </summary>
internal static partial class CatalogCompiler
{
    private static readonly HashSet<string> BuiltInNames = new(
    [
        "events", "profile", "context", "trait", "segment", "properties", "all",
        "contains", "starts_with", "ends_with", "lower", "upper", "len", "coalesce", "abs", "round", "floor", "ceil",
        "days_since", "hours_since", "minutes_since",
        "first_seen_minutes_ago", "first_seen_hours_ago", "first_seen_days_ago",
        "last_seen_minutes_ago", "last_seen_hours_ago", "last_seen_days_ago",
    ], StringComparer.Ordinal);

    /// <summary>Compiles the definitions at <paramref name="version"/>; on failure says which definition is wrong and why.</summary>
    public static bool TryCompile(CatalogDefinitions definitions, long version, TimeSpan? retention,
        [NotNullWhen(true)] out CatalogSnapshot? catalog, [NotNullWhen(false)] out DefinitionError? error)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        catalog = null;
        if (FirstKeyError(definitions) is { } keyError)
        {
            error = keyError;
            return false;
        }

        // Pass 1: bind every trait and segment with traits typed 'any', to learn what reads what.
        var loose = new SymbolEnvironment { Retention = retention };
        foreach (var trait in definitions.Traits)
        {
            loose.AddTrait(trait.Key, ExprType.Any);
        }

        foreach (var segment in definitions.Segments)
        {
            loose.AddSegment(segment.Key);
        }

        var graph = new Dictionary<DefinitionReference, IReadOnlyCollection<DefinitionReference>>();
        foreach (var trait in definitions.Traits)
        {
            if (!ExpressionCompiler.TryCompile(trait.Expression, ExpressionKind.Trait, loose, out var compiled, out var expressionError))
            {
                error = ExpressionFailure(DefinitionKind.Trait, trait.Key, "expression", expressionError);
                return false;
            }

            graph[DefinitionReference.Trait(trait.Key)] = References(compiled);
        }

        foreach (var segment in definitions.Segments)
        {
            if (!ExpressionCompiler.TryCompile(segment.Rule, ExpressionKind.Segment, loose, out var compiled, out var expressionError))
            {
                error = ExpressionFailure(DefinitionKind.Segment, segment.Key, "rule", expressionError);
                return false;
            }

            graph[DefinitionReference.Segment(segment.Key)] = References(compiled);
        }

        if (ReferenceCycles.Find(graph) is { } cycle)
        {
            var first = cycle[0];
            error = new DefinitionError(first.IsSegment ? DefinitionKind.Segment : DefinitionKind.Trait, first.Key,
                first.IsSegment ? "rule" : "expression", ReferenceCycles.Describe(cycle));
            return false;
        }

        // Pass 2: compile in dependency order with real trait types into one shared registry.
        var order = TopologicalOrder(graph);
        var environment = new SymbolEnvironment { Retention = retention };
        var traitsByKey = definitions.Traits.ToDictionary(t => t.Key, StringComparer.Ordinal);
        var segmentsByKey = definitions.Segments.ToDictionary(s => s.Key, StringComparer.Ordinal);
        var traits = new List<CompiledTrait>();
        var segments = new List<CompiledSegment>();

        // Segments get their slots up front (their type is always bool); traits when compiled.
        var segmentOrder = order.Where(r => r.IsSegment).Select(r => r.Key).ToList();
        for (var i = 0; i < segmentOrder.Count; i++)
        {
            environment.AddSegment(segmentOrder[i], i);
        }

        foreach (var node in order)
        {
            if (node.IsSegment)
            {
                var segment = segmentsByKey[node.Key];
                if (!ExpressionCompiler.TryCompile(segment.Rule, ExpressionKind.Segment, environment, out var rule, out var expressionError))
                {
                    error = ExpressionFailure(DefinitionKind.Segment, segment.Key, "rule", expressionError);
                    return false;
                }

                segments.Add(new CompiledSegment(segment, rule, segments.Count));
            }
            else
            {
                var trait = traitsByKey[node.Key];
                if (!ExpressionCompiler.TryCompile(trait.Expression, ExpressionKind.Trait, environment, out var expression, out var expressionError))
                {
                    error = ExpressionFailure(DefinitionKind.Trait, trait.Key, "expression", expressionError);
                    return false;
                }

                environment.AddTrait(trait.Key, expression.ResultType, traits.Count);
                traits.Add(new CompiledTrait(trait, expression, traits.Count));
            }
        }

        var flags = new List<CompiledFlag>();
        foreach (var flag in definitions.Flags.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!TryCompileFlag(flag, environment, out var compiled, out error))
            {
                return false;
            }

            flags.Add(compiled);
        }

        catalog = new CatalogSnapshot(version, traits, segments, flags, environment.Aggregates, retention);
        error = null;
        return true;
    }

    /// <summary>The key rule of SEMANTICS.md §4, as a message, or null when the key is fine.</summary>
    public static string? CheckKey(string? key)
    {
        if (string.IsNullOrEmpty(key) || !KeyPattern().IsMatch(key))
        {
            return "key must start with a letter or '_' and contain only letters, digits and '_'";
        }

        if (Lexicon.IsReserved(key) || BuiltInNames.Contains(key))
        {
            return $"key '{key}' is a reserved word or a built-in name";
        }

        return key.Length > 100 ? "key must be at most 100 characters" : null;
    }

    private static DefinitionError? FirstKeyError(CatalogDefinitions definitions)
    {
        var all = definitions.Traits.Select(t => (DefinitionKind.Trait, t.Key))
            .Concat(definitions.Segments.Select(s => (DefinitionKind.Segment, s.Key)))
            .Concat(definitions.Flags.Select(f => (DefinitionKind.Flag, f.Key)));
        var seen = new HashSet<(DefinitionKind, string)>();
        foreach (var (kind, key) in all)
        {
            if (CheckKey(key) is { } message)
            {
                return new DefinitionError(kind, key ?? "", "key", message);
            }

            if (!seen.Add((kind, key)))
            {
                return new DefinitionError(kind, key, "key", $"{kind.ToString().ToLowerInvariant()} '{key}' is defined twice");
            }
        }

        return null;
    }

    private static bool TryCompileFlag(FlagDefinition flag, SymbolEnvironment environment,
        [NotNullWhen(true)] out CompiledFlag? compiled, [NotNullWhen(false)] out DefinitionError? error)
    {
        compiled = null;
        DefinitionError Fail(string field, string message) => new(DefinitionKind.Flag, flag.Key, field, message);

        if (flag.Variants.Count == 0)
        {
            error = Fail("variants", "a flag needs at least one variant");
            return false;
        }

        if (!flag.Variants.ContainsKey(flag.DefaultVariant))
        {
            error = Fail("defaultVariant", $"default variant '{flag.DefaultVariant}' is not one of the flag's variants ({string.Join(", ", flag.Variants.Keys)})");
            return false;
        }

        if (flag.BucketBy == BucketingKind.ProfileProperty && string.IsNullOrEmpty(flag.BucketingProperty))
        {
            error = Fail("bucketingProperty", "bucketing by a profile property needs bucketingProperty");
            return false;
        }

        var rules = new List<CompiledFlagRule>();
        for (var i = 0; i < flag.Rules.Count; i++)
        {
            var rule = flag.Rules[i];
            var field = $"rules[{i}]";
            if (!ExpressionCompiler.TryCompile(rule.When, ExpressionKind.Flag, environment, out var when, out var expressionError))
            {
                error = ExpressionFailure(DefinitionKind.Flag, flag.Key, field + ".when", expressionError);
                return false;
            }

            if ((rule.Variant is null) == (rule.Split is null))
            {
                error = Fail(field, "a rule serves either a variant or a split, not both or neither");
                return false;
            }

            if (rule.Variant is { } variant && !flag.Variants.ContainsKey(variant))
            {
                error = Fail(field + ".variant", $"variant '{variant}' is not one of the flag's variants");
                return false;
            }

            List<(string, double)>? split = null;
            if (rule.Split is { } weights)
            {
                split = [];
                foreach (var (name, weight) in weights)
                {
                    if (!flag.Variants.ContainsKey(name))
                    {
                        error = Fail(field + ".split", $"variant '{name}' is not one of the flag's variants");
                        return false;
                    }

                    if (!double.IsFinite(weight) || weight < 0)
                    {
                        error = Fail(field + ".split", $"the weight of '{name}' must be a number from 0 to 100");
                        return false;
                    }

                    split.Add((name, weight));
                }

                if (split.Sum(s => s.Item2) <= 0)
                {
                    error = Fail(field + ".split", "a split needs a positive total weight");
                    return false;
                }
            }

            rules.Add(new CompiledFlagRule(rule, when) { Split = split });
        }

        compiled = new CompiledFlag(flag, rules);
        error = null;
        return true;
    }

    private static DefinitionError ExpressionFailure(DefinitionKind kind, string key, string field, ExpressionError error) =>
        new(kind, key, field, error.Message) { Expression = error };

    private static DefinitionReference[] References(CompiledExpression expression) =>
        [.. expression.TraitReferences.Select(DefinitionReference.Trait), .. expression.SegmentReferences.Select(DefinitionReference.Segment)];

    /// <summary>Dependencies first; ties in key order so the result is deterministic. The graph has no cycle.</summary>
    private static List<DefinitionReference> TopologicalOrder(Dictionary<DefinitionReference, IReadOnlyCollection<DefinitionReference>> graph)
    {
        var order = new List<DefinitionReference>();
        var done = new HashSet<DefinitionReference>();
        foreach (var start in graph.Keys.OrderBy(k => k.IsSegment).ThenBy(k => k.Key, StringComparer.Ordinal))
        {
            var stack = new Stack<(DefinitionReference Node, bool Expanded)>();
            stack.Push((start, false));
            while (stack.Count > 0)
            {
                var (node, expanded) = stack.Pop();
                if (done.Contains(node))
                {
                    continue;
                }

                if (expanded)
                {
                    done.Add(node);
                    order.Add(node);
                    continue;
                }

                stack.Push((node, true));
                foreach (var child in graph[node].OrderByDescending(k => k.Key, StringComparer.Ordinal))
                {
                    if (!done.Contains(child))
                    {
                        stack.Push((child, false));
                    }
                }
            }
        }

        return order;
    }

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
