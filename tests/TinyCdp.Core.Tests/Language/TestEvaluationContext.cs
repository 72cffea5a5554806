using System.Globalization;
using System.Text.Json;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Language;

/// <summary>
/// An evaluation context described in JSON, for golden cases:
/// <c>{"now": "...", "aggregates": {"events.purchase.count(30d)": 3}, "counts": {...}, "profile": {...},
/// "traits": {...}, "segments": ["vip_users"], "context": {...}}</c>. Aggregates are keyed by the
/// requirement's canonical text; first_seen/last_seen values may be given as ISO-8601 instants.
/// </summary>
public sealed class TestEvaluationContext : IEvaluationContext
{
    public static readonly DateTimeOffset DefaultNow = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<int, Value> _aggregates = [];
    private readonly Dictionary<int, long> _counts = [];
    private readonly Dictionary<int, Value> _traits = [];
    private readonly HashSet<int> _segments = [];
    private readonly Value _context;

    public TestEvaluationContext(string? json, CompiledExpression expression, SymbolEnvironment environment)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        var root = document.RootElement;
        Now = root.TryGetProperty("now", out var now) ? DateTimeOffset.Parse(now.GetString()!, CultureInfo.InvariantCulture) : DefaultNow;
        Profile = root.TryGetProperty("profile", out var profile) ? Value.FromJson(profile) : Value.Null;
        _context = root.TryGetProperty("context", out var context) ? Value.FromJson(context) : Value.Null;

        var byText = expression.Requirements.Zip(expression.RequirementSlots).ToDictionary(p => p.First.ToString(), p => p);
        if (root.TryGetProperty("aggregates", out var aggregates))
        {
            foreach (var property in aggregates.EnumerateObject())
            {
                if (!byText.TryGetValue(property.Name, out var requirement))
                {
                    throw new InvalidOperationException(
                        $"The case gives '{property.Name}' but the expression needs: {string.Join(", ", byText.Keys)}");
                }

                var value = Value.FromJson(property.Value);
                if (requirement.First.Kind is AggregateKind.FirstSeen or AggregateKind.LastSeen && value.TryGetString(out var instant))
                {
                    value = Value.Number(DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
                }

                _aggregates[requirement.Second] = value;
            }
        }

        if (root.TryGetProperty("counts", out var counts))
        {
            foreach (var property in counts.EnumerateObject())
            {
                _counts[byText[property.Name].Second] = property.Value.GetInt64();
            }
        }

        if (root.TryGetProperty("traits", out var traits))
        {
            foreach (var property in traits.EnumerateObject())
            {
                _traits[environment.Traits[property.Name].Slot] = Value.FromJson(property.Value);
            }
        }

        if (root.TryGetProperty("segments", out var segments))
        {
            foreach (var key in segments.EnumerateArray())
            {
                _segments.Add(environment.Segments[key.GetString()!]);
            }
        }
    }

    public DateTimeOffset Now { get; }

    public Value Profile { get; }

    public Value EventProperties => Value.Null;

    public Value GetAggregate(int slot) => _aggregates.TryGetValue(slot, out var value) ? value : Value.Null;

    public long GetAggregateEventCount(int slot) => _counts.GetValueOrDefault(slot);

    public Value GetTrait(int slot) => _traits.TryGetValue(slot, out var value) ? value : Value.Null;

    public bool GetSegment(int slot) => _segments.Contains(slot);

    public Value GetContext(string name) => _context.Member(name);
}
