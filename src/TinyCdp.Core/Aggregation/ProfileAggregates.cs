using System.Runtime.CompilerServices;
using TinyCdp.Definitions;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Aggregation;

/// <summary>
/// One profile's aggregators: one per aggregate of the catalog, fed the matching events. Not
/// thread-safe: the engine changes it only under the profile's gate and publishes immutable
/// <see cref="AggregateValues"/> for readers.
/// </summary>
internal sealed class ProfileAggregates
{
    // Which slots each event name feeds depends only on the catalog: worked out once per catalog, not
    // per profile (every cold load and every new profile builds a ProfileAggregates).
    private static readonly ConditionalWeakTable<CatalogSnapshot, Layout> Layouts = new();

    private readonly Aggregator[] _aggregators;
    private readonly Dictionary<string, int[]> _slotsByName;
    private readonly int[] _activitySlots;

    public ProfileAggregates(CatalogSnapshot catalog, TimeZoneInfo timeZone)
    {
        Catalog = catalog;
        var requirements = catalog.Aggregates;
        _aggregators = new Aggregator[requirements.Count];
        for (var slot = 0; slot < requirements.Count; slot++)
        {
            _aggregators[slot] = Aggregator.Create(requirements[slot], timeZone);
        }

        var layout = Layouts.GetValue(catalog, static c => new Layout(c));
        _slotsByName = layout.SlotsByName;
        _activitySlots = layout.ActivitySlots;
        FiltersReadProfile = layout.FiltersReadProfile;
    }

    /// <summary>The catalog these aggregators were built for.</summary>
    public CatalogSnapshot Catalog { get; }

    /// <summary>True when some <c>where(...)</c> reads the profile: a property change means a rebuild.</summary>
    public bool FiltersReadProfile { get; }

    /// <summary>Whether a message of this kind feeds aggregates at all.</summary>
    public static bool IsAggregated(MessageKind kind) => kind is MessageKind.Track or MessageKind.Page or MessageKind.Screen or MessageKind.Group;

    /// <summary>Whether a message of this kind is activity (counts for top-level first/last seen).</summary>
    public static bool IsActivity(MessageKind kind) => kind is MessageKind.Track or MessageKind.Page or MessageKind.Screen;

    /// <summary>Feeds one message to every aggregator it matches.</summary>
    public void Add(MessageKind kind, string name, DateTimeOffset time, Value properties, Value profile)
    {
        if (!IsAggregated(kind))
        {
            return;
        }

        var e = new AggregateEvent(time, properties);
        if (IsActivity(kind))
        {
            foreach (var slot in _activitySlots)
            {
                AddIfMatches(slot, e, properties, profile);
            }
        }

        if (_slotsByName.TryGetValue(name, out var slots))
        {
            foreach (var slot in slots)
            {
                AddIfMatches(slot, e, properties, profile);
            }
        }
    }

    /// <summary>
    /// Whether <see cref="Add"/> would change some aggregator with a message of this kind and name at
    /// <paramref name="time"/>, and if so whether any of those reads its properties (a filter or a
    /// property): when none does, the properties need not be parsed and <see cref="Add"/> may be given null.
    /// </summary>
    public bool Accepts(MessageKind kind, string name, DateTimeOffset time, out bool readsProperties)
    {
        readsProperties = false;
        if (!IsAggregated(kind))
        {
            return false;
        }

        var ticks = time.UtcTicks;
        var accepted = false;
        if (IsActivity(kind))
        {
            foreach (var slot in _activitySlots)
            {
                Consider(slot, ticks, ref accepted, ref readsProperties);
            }
        }

        if (_slotsByName.TryGetValue(name, out var slots))
        {
            foreach (var slot in slots)
            {
                Consider(slot, ticks, ref accepted, ref readsProperties);
            }
        }

        return accepted;
    }

    private void Consider(int slot, long ticks, ref bool accepted, ref bool readsProperties)
    {
        var aggregator = _aggregators[slot];
        if (!aggregator.Ignores(ticks))
        {
            accepted = true;
            readsProperties |= aggregator.Requirement.Filter is not null || aggregator.Requirement.Property is not null;
        }
    }

    /// <summary>Drops state no evaluation at or after <paramref name="horizon"/> needs.</summary>
    public void Compact(DateTimeOffset horizon)
    {
        foreach (var aggregator in _aggregators)
        {
            aggregator.Compact(horizon);
        }
    }

    /// <summary>Every aggregate's value and count at <paramref name="now"/>, and until when they hold.</summary>
    public AggregateValues Evaluate(DateTimeOffset now)
    {
        var values = new Value[_aggregators.Length];
        var counts = new long[_aggregators.Length];
        DateTimeOffset? validUntil = null;
        for (var slot = 0; slot < _aggregators.Length; slot++)
        {
            var aggregator = _aggregators[slot];
            values[slot] = aggregator.Evaluate(now);
            counts[slot] = aggregator.CountedEvents(now);
            if (aggregator.NextChange(now) is { } next && (validUntil is null || next < validUntil))
            {
                validUntil = next;
            }
        }

        return new AggregateValues(values, counts, now, validUntil);
    }

    /// <summary>The slots each event name feeds, those every activity event feeds, and whether a filter reads the profile.</summary>
    private sealed class Layout
    {
        public Layout(CatalogSnapshot catalog)
        {
            var requirements = catalog.Aggregates;
            var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            var activity = new List<int>();
            for (var slot = 0; slot < requirements.Count; slot++)
            {
                var requirement = requirements[slot];
                if (requirement.EventName is null)
                {
                    activity.Add(slot);
                }
                else
                {
                    if (!byName.TryGetValue(requirement.EventName, out var slots))
                    {
                        byName[requirement.EventName] = slots = [];
                    }

                    slots.Add(slot);
                }

                FiltersReadProfile |= requirement.Filter?.ReadsProfile == true;
            }

            SlotsByName = byName.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
            ActivitySlots = [.. activity];
        }

        public Dictionary<string, int[]> SlotsByName { get; }

        public int[] ActivitySlots { get; }

        public bool FiltersReadProfile { get; }
    }

    private void AddIfMatches(int slot, in AggregateEvent e, Value properties, Value profile)
    {
        var filter = _aggregators[slot].Requirement.Filter;
        if (filter is null || filter.Matches(properties, profile))
        {
            _aggregators[slot].Add(e);
        }
    }
}
