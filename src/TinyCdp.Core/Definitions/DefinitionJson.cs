using System.Text;
using System.Text.Json;
using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>
/// The JSON form of definitions, as stored and as the HTTP API shows them. A trait is
/// <c>{key, expression, description?}</c>, a segment <c>{key, rule, description?}</c>, a flag
/// <c>{key, enabled, variants, rules: [{when, variant} | {when, split}], defaultVariant, salt?,
/// bucketBy, bucketingProperty?, description?}</c>; the seed's flag form <c>{key, rule}</c> is read too.
/// </summary>
internal static class DefinitionJson
{
    /// <summary>A trait as JSON.</summary>
    public static string Write(TraitDefinition trait) => Write(writer =>
    {
        ArgumentNullException.ThrowIfNull(trait);
        writer.WriteString("key", trait.Key);
        writer.WriteString("expression", trait.Expression);
        WriteDescription(writer, trait.Description);
    });

    /// <summary>A segment as JSON.</summary>
    public static string Write(SegmentDefinition segment) => Write(writer =>
    {
        ArgumentNullException.ThrowIfNull(segment);
        writer.WriteString("key", segment.Key);
        writer.WriteString("rule", segment.Rule);
        WriteDescription(writer, segment.Description);
    });

    /// <summary>A flag as JSON.</summary>
    public static string Write(FlagDefinition flag) => Write(writer => WriteFlagMembers(writer, flag));

    /// <summary>Writes a flag's members into an object being written.</summary>
    public static void WriteFlagMembers(Utf8JsonWriter writer, FlagDefinition flag)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(flag);
        writer.WriteString("key", flag.Key);
        writer.WriteBoolean("enabled", flag.Enabled);
        writer.WriteStartObject("variants");
        foreach (var (name, value) in flag.Variants)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }

        writer.WriteEndObject();
        writer.WriteStartArray("rules");
        foreach (var rule in flag.Rules)
        {
            writer.WriteStartObject();
            writer.WriteString("when", rule.When);
            if (rule.Variant is not null)
            {
                writer.WriteString("variant", rule.Variant);
            }

            if (rule.Split is not null)
            {
                writer.WriteStartObject("split");
                foreach (var (name, weight) in rule.Split)
                {
                    writer.WriteNumber(name, weight);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("defaultVariant", flag.DefaultVariant);
        if (flag.Salt is not null)
        {
            writer.WriteString("salt", flag.Salt);
        }

        writer.WriteString("bucketBy", BucketByName(flag.BucketBy));
        if (flag.BucketingProperty is not null)
        {
            writer.WriteString("bucketingProperty", flag.BucketingProperty);
        }

        WriteDescription(writer, flag.Description);
    }

    /// <summary>The JSON name of a bucketing kind.</summary>
    public static string BucketByName(BucketingKind kind) => kind switch
    {
        BucketingKind.AnonymousId => "anonymousId",
        BucketingKind.ProfileId => "profileId",
        BucketingKind.ProfileProperty => "property",
        _ => "userId",
    };

    /// <summary>Parses a bucketing kind name.</summary>
    public static bool TryParseBucketBy(string? name, out BucketingKind kind)
    {
        kind = name switch
        {
            "userId" or null => BucketingKind.UserId,
            "anonymousId" => BucketingKind.AnonymousId,
            "profileId" => BucketingKind.ProfileId,
            "property" => BucketingKind.ProfileProperty,
            _ => (BucketingKind)(-1),
        };
        return (int)kind >= 0;
    }

    /// <summary>Reads a stored trait.</summary>
    public static TraitDefinition ReadTrait(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new TraitDefinition(root.GetProperty("key").GetString()!, root.GetProperty("expression").GetString()!)
        {
            Description = OptionalString(root, "description"),
        };
    }

    /// <summary>Reads a stored segment.</summary>
    public static SegmentDefinition ReadSegment(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new SegmentDefinition(root.GetProperty("key").GetString()!, root.GetProperty("rule").GetString()!)
        {
            Description = OptionalString(root, "description"),
        };
    }

    /// <summary>Reads a stored flag (or the seed's <c>{key, rule}</c>).</summary>
    public static FlagDefinition ReadFlag(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ReadFlag(document.RootElement);
    }

    /// <summary>Reads a flag from JSON already parsed; throws <see cref="FormatException"/> on a wrong shape.</summary>
    public static FlagDefinition ReadFlag(JsonElement root)
    {
        var key = root.GetProperty("key").GetString()!;
        if (!root.TryGetProperty("rules", out var rulesElement) && OptionalString(root, "rule") is { } seedRule)
        {
            return FlagDefinition.FromRule(key, seedRule) with
            {
                Description = OptionalString(root, "description"),
                Enabled = !root.TryGetProperty("enabled", out var seedEnabled) || seedEnabled.ValueKind != JsonValueKind.False,
            };
        }

        var rules = new List<FlagRule>();
        if (rulesElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var rule in rulesElement.EnumerateArray())
            {
                IReadOnlyList<KeyValuePair<string, double>>? split = null;
                if (rule.TryGetProperty("split", out var splitElement) && splitElement.ValueKind == JsonValueKind.Object)
                {
                    split = [.. splitElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetDouble()))];
                }

                rules.Add(new FlagRule(rule.GetProperty("when").GetString()!) { Variant = OptionalString(rule, "variant"), Split = split });
            }
        }

        var variants = root.TryGetProperty("variants", out var variantsElement) && variantsElement.ValueKind == JsonValueKind.Object
            ? variantsElement.EnumerateObject().ToDictionary(p => p.Name, p => Value.FromJson(p.Value), StringComparer.Ordinal)
            : null;
        if (!TryParseBucketBy(OptionalString(root, "bucketBy"), out var bucketBy))
        {
            throw new FormatException("bucketBy must be userId, anonymousId, profileId or property");
        }

        return new FlagDefinition
        {
            Key = key,
            Enabled = !root.TryGetProperty("enabled", out var enabled) || enabled.ValueKind != JsonValueKind.False,
            Variants = variants ?? FlagDefinition.BooleanVariants,
            Rules = rules,
            DefaultVariant = OptionalString(root, "defaultVariant") ?? "off",
            Salt = OptionalString(root, "salt"),
            BucketBy = bucketBy,
            BucketingProperty = OptionalString(root, "bucketingProperty"),
            Description = OptionalString(root, "description"),
        };
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void WriteDescription(Utf8JsonWriter writer, string? description)
    {
        if (description is not null)
        {
            writer.WriteString("description", description);
        }
    }

    private static string Write(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
