using System.Text.Json;
using System.Text.Json.Nodes;
using TinyCdp.Definitions;
using TinyCdp.Language;
using TinyCdp.AspNetCore.Auth;
using TinyCdp.AspNetCore.Endpoints.Admin;
using TinyCdp.Storage;

namespace TinyCdp.AspNetCore.Endpoints;

/// <summary>
/// Routes of the AdminDefinition group (HTTP-API.md "Admin"): list, create, read, replace and delete
/// traits, segments and flags, and validate an expression against the current catalog.
/// </summary>
internal static class AdminDefinitionEndpoints
{
    private sealed record Kind(string Plural, string Title, DefinitionKind Storage);

    private static readonly Kind[] s_kinds =
    [
        new("traits", "Trait", DefinitionKind.Trait),
        new("segments", "Segment", DefinitionKind.Segment),
        new("flags", "Flag", DefinitionKind.Flag),
    ];

    public static IEndpointRouteBuilder MapAdminDefinitionEndpoints(this IEndpointRouteBuilder routes)
    {
        foreach (var kind in s_kinds)
        {
            var group = routes.MapGroup($"/v1/admin/{kind.Plural}").WithTags("admin");
            group.MapGet("/", (IDefinitionsService definitions, CancellationToken ct) => ListAsync(kind, definitions, ct)).RequireAuthorization(Tiers.Read);
            group.MapPost("/", (HttpContext context, IDefinitionsService definitions) => SaveAsync(kind, null, context, definitions)).RequireAuthorization(Tiers.Admin);
            group.MapGet("/{key}", (string key, IDefinitionsService definitions, CancellationToken ct) => GetAsync(kind, key, definitions, ct)).RequireAuthorization(Tiers.Read);
            group.MapPut("/{key}", (string key, HttpContext context, IDefinitionsService definitions) => SaveAsync(kind, key, context, definitions)).RequireAuthorization(Tiers.Admin);
            group.MapDelete("/{key}", async (string key, HttpContext context, IDefinitionsService definitions) =>
            {
                var result = await definitions.DeleteAsync(kind.Storage, key, AdminHttp.Actor(context), context.RequestAborted);
                return result.Succeeded ? Results.NoContent() : AdminHttp.DefinitionProblem(result);
            }).RequireAuthorization(Tiers.Admin);
        }

        routes.MapPost("/v1/admin/validate", ValidateAsync).RequireAuthorization(Tiers.Admin).WithTags("admin");
        return routes;
    }

    private static async Task<IResult> ListAsync(Kind kind, IDefinitionsService definitions, CancellationToken ct)
    {
        var catalog = definitions.Catalog;
        var backfill = definitions.Backfill;
        var history = await definitions.GetHistoryAsync(kind.Storage, null, int.MaxValue, ct);
        var latest = new Dictionary<string, StoredDefinitionChange>(StringComparer.Ordinal);
        foreach (var change in history)
        {
            latest.TryAdd(change.Key, change);
        }

        return AdminHttp.Json(writer =>
        {
            writer.WriteStartArray(kind.Plural);
            foreach (var key in Keys(kind, catalog))
            {
                writer.WriteStartObject();
                WriteItem(writer, kind, catalog, key, latest.GetValueOrDefault(key), backfill);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("catalogVersion", catalog.Version);
        });
    }

    private static async Task<IResult> GetAsync(Kind kind, string key, IDefinitionsService definitions, CancellationToken ct)
    {
        var catalog = definitions.Catalog;
        if (!Exists(kind, catalog, key))
        {
            return Problems.NotFound($"{kind.Title} '{key}' not found");
        }

        return await ItemAsync(kind, key, catalog, definitions, StatusCodes.Status200OK, ct);
    }

    private static async Task<IResult> ItemAsync(Kind kind, string key, CatalogSnapshot catalog, IDefinitionsService definitions, int status, CancellationToken ct)
    {
        var history = await definitions.GetHistoryAsync(kind.Storage, key, 1, ct);
        var backfill = definitions.Backfill;
        return AdminHttp.Json(writer => WriteItem(writer, kind, catalog, key, history.Count > 0 ? history[0] : null, backfill), status);
    }

    private static async Task<IResult> SaveAsync(Kind kind, string? routeKey, HttpContext context, IDefinitionsService definitions)
    {
        var (document, error) = await AdminHttp.ReadObjectAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (!AdminHttp.TryGetString(root, "key", routeKey is null, out var bodyKey, out error))
            {
                return error!;
            }

            if (routeKey is not null && bodyKey is not null && !string.Equals(routeKey, bodyKey, StringComparison.Ordinal))
            {
                return AdminHttp.FieldError("key", "key in the body differs from the key in the path");
            }

            var key = routeKey ?? bodyKey!;
            var mode = routeKey is null ? SaveMode.Create : SaveMode.Update;
            var actor = AdminHttp.Actor(context);
            var ct = context.RequestAborted;
            DefinitionResult result;
            switch (kind.Storage)
            {
                case DefinitionKind.Trait:
                    {
                        if (!AdminHttp.TryGetString(root, "expression", true, out var expression, out error)
                            || !AdminHttp.TryGetString(root, "description", false, out var description, out error))
                        {
                            return error!;
                        }

                        result = await definitions.SaveTraitAsync(new TraitDefinition(key, expression!) { Description = description }, mode, actor, ct);
                        break;
                    }

                case DefinitionKind.Segment:
                    {
                        if (!AdminHttp.TryGetString(root, "rule", true, out var rule, out error)
                            || !AdminHttp.TryGetString(root, "description", false, out var description, out error))
                        {
                            return error!;
                        }

                        result = await definitions.SaveSegmentAsync(new SegmentDefinition(key, rule!) { Description = description }, mode, actor, ct);
                        break;
                    }

                default:
                    {
                        if (!TryReadFlag(root, key, out var flag, out error))
                        {
                            return error!;
                        }

                        result = await definitions.SaveFlagAsync(flag!, mode, actor, ct);

                        // The seed's form {key, rule} becomes rules[0].when: report the field the client sent.
                        if (result.Error is { Field: "rules[0].when" } ruleError && IsSeedForm(root))
                        {
                            result = result with { Error = ruleError with { Field = "rule" } };
                        }

                        break;
                    }
            }

            if (!result.Succeeded)
            {
                return AdminHttp.DefinitionProblem(result);
            }

            return await ItemAsync(kind, key, definitions.Catalog, definitions,
                mode == SaveMode.Create ? StatusCodes.Status201Created : StatusCodes.Status200OK, ct);
        }
    }

    private static bool IsSeedForm(JsonElement root) =>
        !root.TryGetProperty("rules", out _) && root.TryGetProperty("rule", out var rule) && rule.ValueKind == JsonValueKind.String;

    private static bool TryReadFlag(JsonElement root, string key, out FlagDefinition? flag, out IResult? error)
    {
        flag = null;
        error = null;
        foreach (var (name, type) in new[] { ("rule", JsonValueKind.String), ("rules", JsonValueKind.Array), ("variants", JsonValueKind.Object), ("defaultVariant", JsonValueKind.String), ("salt", JsonValueKind.String), ("bucketBy", JsonValueKind.String), ("bucketingProperty", JsonValueKind.String), ("description", JsonValueKind.String) })
        {
            if (root.TryGetProperty(name, out var member) && member.ValueKind != JsonValueKind.Null && member.ValueKind != type)
            {
                error = AdminHttp.FieldError(name, $"{name} must be {(type == JsonValueKind.String ? "a string" : type == JsonValueKind.Array ? "an array" : "an object")}");
                return false;
            }
        }

        if (root.TryGetProperty("enabled", out var enabled) && enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
        {
            error = AdminHttp.FieldError("enabled", "enabled must be a boolean");
            return false;
        }

        if (root.TryGetProperty("rules", out var rules) && rules.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var rule in rules.EnumerateArray())
            {
                if (rule.ValueKind != JsonValueKind.Object || !rule.TryGetProperty("when", out var when) || when.ValueKind != JsonValueKind.String)
                {
                    error = AdminHttp.FieldError($"rules[{index}].when", $"rules[{index}] must be an object with a string 'when'");
                    return false;
                }

                if (rule.TryGetProperty("variant", out var variant) && variant.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    error = AdminHttp.FieldError($"rules[{index}].variant", $"rules[{index}].variant must be a string");
                    return false;
                }

                if (rule.TryGetProperty("split", out var splitMember) && splitMember.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    error = AdminHttp.FieldError($"rules[{index}].split", $"rules[{index}].split must be an object of weights");
                    return false;
                }

                // A weight beyond the double range (1e309) is a number token that GetDouble refuses.
                if (rule.TryGetProperty("split", out var split) && split.ValueKind == JsonValueKind.Object
                    && split.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var weight) || !double.IsFinite(weight)))
                {
                    error = AdminHttp.FieldError($"rules[{index}].split", $"rules[{index}].split weights must be numbers");
                    return false;
                }

                index++;
            }
        }

        if (root.TryGetProperty("bucketBy", out var bucketBy) && bucketBy.ValueKind == JsonValueKind.String
            && !DefinitionJson.TryParseBucketBy(bucketBy.GetString(), out _))
        {
            error = AdminHttp.FieldError("bucketBy", "bucketBy must be userId, anonymousId, profileId or property");
            return false;
        }

        var element = root;
        if (!root.TryGetProperty("key", out var keyElement) || keyElement.ValueKind != JsonValueKind.String)
        {
            var node = JsonNode.Parse(root.GetRawText())!.AsObject();
            node["key"] = key;
            element = JsonSerializer.SerializeToElement(node);
        }

        try
        {
            flag = DefinitionJson.ReadFlag(element) with { Key = key };
            return true;
        }
        catch (Exception exception) when (exception is FormatException or InvalidOperationException or KeyNotFoundException or JsonException)
        {
            error = AdminHttp.FieldError("rules", exception is FormatException ? exception.Message : "the flag is malformed");
            return false;
        }
    }

    private static IEnumerable<string> Keys(Kind kind, CatalogSnapshot catalog) => kind.Storage switch
    {
        DefinitionKind.Trait => catalog.Traits.Select(t => t.Key).Order(StringComparer.Ordinal),
        DefinitionKind.Segment => catalog.Segments.Select(s => s.Key).Order(StringComparer.Ordinal),
        _ => catalog.Flags.Select(f => f.Key),
    };

    private static bool Exists(Kind kind, CatalogSnapshot catalog, string key) => kind.Storage switch
    {
        DefinitionKind.Trait => catalog.FindTrait(key) is not null,
        DefinitionKind.Segment => catalog.FindSegment(key) is not null,
        _ => catalog.FindFlag(key) is not null,
    };

    private static void WriteItem(Utf8JsonWriter writer, Kind kind, CatalogSnapshot catalog, string key, StoredDefinitionChange? latest, BackfillStatus backfill)
    {
        switch (kind.Storage)
        {
            case DefinitionKind.Trait:
                var trait = catalog.FindTrait(key)!;
                writer.WriteString("key", trait.Key);
                writer.WriteString("expression", trait.Definition.Expression);
                writer.WriteString("description", trait.Definition.Description);
                writer.WriteString("type", trait.Expression.ResultType.Name());
                break;
            case DefinitionKind.Segment:
                var segment = catalog.FindSegment(key)!;
                writer.WriteString("key", segment.Key);
                writer.WriteString("rule", segment.Definition.Rule);
                writer.WriteString("description", segment.Definition.Description);
                break;
            default:
                var flag = catalog.FindFlag(key)!;
                DefinitionJson.WriteFlagMembers(writer, flag.Definition);
                if (flag.Definition.Rules.Count == 1 && flag.Definition.Rules[0].Variant is "on")
                {
                    writer.WriteString("rule", flag.Definition.Rules[0].When);
                }

                break;
        }

        writer.WriteNumber("version", latest?.Version ?? catalog.Version);
        AdminHttp.WriteInstant(writer, "updatedAt", latest?.At);
        if (kind.Storage != DefinitionKind.Flag)
        {
            writer.WriteStartObject("backfill");
            writer.WriteString("state", backfill.State);
            writer.WriteNumber("done", backfill.Done);
            writer.WriteNumber("total", backfill.Total);
            writer.WriteEndObject();
        }
    }

    private static async Task<IResult> ValidateAsync(HttpContext context, IDefinitionsService definitions)
    {
        var (document, error) = await AdminHttp.ReadObjectAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (!AdminHttp.TryReadDraft(root, out var expression, out var definitionKind, out error))
            {
                return error!;
            }

            var kind = definitionKind switch
            {
                DefinitionKind.Trait => ExpressionKind.Trait,
                DefinitionKind.Flag => ExpressionKind.Flag,
                _ => ExpressionKind.Segment,
            };

            var catalog = definitions.Catalog;
            var environment = new SymbolEnvironment { Retention = catalog.Retention };
            foreach (var trait in catalog.Traits)
            {
                environment.AddTrait(trait.Key, trait.Expression.ResultType, trait.Slot);
            }

            foreach (var segment in catalog.Segments)
            {
                environment.AddSegment(segment.Key, segment.Slot);
            }

            if (ExpressionCompiler.TryCompile(expression!, kind, environment, out var compiled, out var compileError))
            {
                return AdminHttp.Json(writer =>
                {
                    writer.WriteBoolean("valid", true);
                    writer.WriteString("resultType", compiled.ResultType.Name());
                });
            }

            return AdminHttp.Json(writer =>
            {
                writer.WriteBoolean("valid", false);
                writer.WriteString("error", compileError.Message);
                AdminHttp.WriteSpan(writer, compileError);
            });
        }
    }
}
