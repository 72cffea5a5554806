using TinyCdp.Definitions;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using TinyCdp.Storage;

namespace TinyCdp.Aggregation;

/// <summary>Builds a profile's aggregators from its stored messages (a cold load, a rebuild, an "as of" read).</summary>
internal static class ProfileReplay
{
    /// <summary>
    /// Feeds stored messages with event time ≤ <paramref name="until"/> to fresh aggregators. With a
    /// <paramref name="horizon"/>, the aggregators are compacted to it first, so messages too old for
    /// every aggregate they match are skipped unparsed (the result is the same as compacting after).
    /// </summary>
    public static ProfileAggregates Replay(IEnumerable<StoredEvent> events, CatalogSnapshot catalog, TimeZoneInfo timeZone, ProfileProperties properties,
        DateTimeOffset until, DateTimeOffset? horizon = null)
    {
        var aggregates = new ProfileAggregates(catalog, timeZone);
        if (horizon is { } compactTo)
        {
            aggregates.Compact(compactTo);
        }

        var profile = properties.AsValue;
        foreach (var e in events)
        {
            if (e.Timestamp <= until && aggregates.Accepts(e.Kind, e.Name, e.Timestamp, out var readsProperties))
            {
                aggregates.Add(e.Kind, e.Name, e.Timestamp, readsProperties ? Value.ParseJson(e.PropertiesJson) : Value.Null, profile);
            }
        }

        return aggregates;
    }

    /// <summary>The profile properties as of <paramref name="at"/>: the stored identifies with event time ≤ it, applied in order.</summary>
    public static ProfileProperties PropertiesAsOf(IEnumerable<StoredEvent> events, DateTimeOffset at)
    {
        var properties = ProfileProperties.Empty;
        foreach (var e in events.Where(e => e.Kind == MessageKind.Identify && e.Timestamp <= at))
        {
            properties = properties.Apply(e.TraitsJson is null ? Value.Null : Value.ParseJson(e.TraitsJson), e.Timestamp, e.Sequence);
        }

        return properties;
    }
}
