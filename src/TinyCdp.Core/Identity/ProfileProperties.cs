using System.Collections.Immutable;
using TinyCdp.Language;

namespace TinyCdp.Identity;

/// <summary>
/// A profile's properties with, for each top-level key, the event time and the message sequence
/// that set it: identify traits merge shallowly and each key is last-write-wins by event time, so a
/// late, older identify never overwrites a newer value; on equal times the later arrival (higher
/// sequence) wins, also when two profiles merge. Immutable.
/// </summary>
internal sealed class ProfileProperties
{
    private ProfileProperties(ImmutableDictionary<string, (Value Value, DateTimeOffset At, long Sequence)> entries)
    {
        Entries = entries;
        AsValue = Value.Object(entries.Select(e => KeyValuePair.Create(e.Key, e.Value.Value)));
    }

    public static ProfileProperties Empty { get; } = new(ImmutableDictionary.Create<string, (Value, DateTimeOffset, long)>(StringComparer.Ordinal));

    public ImmutableDictionary<string, (Value Value, DateTimeOffset At, long Sequence)> Entries { get; }

    /// <summary>The properties as one object value, as expressions read them.</summary>
    public Value AsValue { get; }

    /// <summary>Applies identify traits set at <paramref name="at"/> by message <paramref name="sequence"/>; returns this instance when nothing changes.</summary>
    public ProfileProperties Apply(Value traits, DateTimeOffset at, long sequence)
    {
        if (traits.Properties is not { Count: > 0 } incoming)
        {
            return this;
        }

        var builder = Entries.ToBuilder();
        var changed = false;
        foreach (var (key, value) in incoming)
        {
            if (!builder.TryGetValue(key, out var current) || Later(at, sequence, current.At, current.Sequence))
            {
                builder[key] = (value, at, sequence);
                changed = true;
            }
        }

        return changed ? new ProfileProperties(builder.ToImmutable()) : this;
    }

    /// <summary>The union of two profiles' properties, each key from whichever message set it later.</summary>
    public ProfileProperties Merge(ProfileProperties other)
    {
        var builder = Entries.ToBuilder();
        foreach (var (key, entry) in other.Entries)
        {
            if (!builder.TryGetValue(key, out var current) || Later(entry.At, entry.Sequence, current.At, current.Sequence))
            {
                builder[key] = entry;
            }
        }

        return new ProfileProperties(builder.ToImmutable());
    }

    private static bool Later(DateTimeOffset at, long sequence, DateTimeOffset currentAt, long currentSequence) =>
        at > currentAt || (at == currentAt && sequence >= currentSequence);

    /// <summary>Reads the stored form: properties JSON and property-times JSON.</summary>
    public static ProfileProperties FromStored(string propertiesJson, string timesJson)
    {
        var values = Value.ParseJson(string.IsNullOrEmpty(propertiesJson) ? "{}" : propertiesJson).Properties ?? new Dictionary<string, Value>();
        var times = Value.ParseJson(string.IsNullOrEmpty(timesJson) ? "{}" : timesJson).Properties ?? new Dictionary<string, Value>();
        var builder = ImmutableDictionary.CreateBuilder<string, (Value, DateTimeOffset, long)>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            var time = times.TryGetValue(key, out var t) ? t : Value.Null;
            var at = time.Member("at").TryGetString(out var text) &&
                DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : DateTimeOffset.MinValue;
            builder[key] = (value, at, (long)time.Member("sequence").AsNumber);
        }

        return new ProfileProperties(builder.ToImmutable());
    }

    /// <summary>The stored form of the properties (JSON object).</summary>
    public string ToPropertiesJson() => AsValue.ToJson();

    /// <summary>The stored form of the times: for each key <c>{"at": ISO-8601 instant, "sequence": n}</c>.</summary>
    public string ToTimesJson() =>
        Value.Object(Entries.Select(e => KeyValuePair.Create(e.Key, Value.Object(
        [
            KeyValuePair.Create("at", Value.String(e.Value.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture))),
            KeyValuePair.Create("sequence", Value.Number(e.Value.Sequence)),
        ])))).ToJson();
}
