using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>A route and the requests the fuzz tests send it.</summary>
public sealed record FuzzRoute(string Method, string Pattern, RouteFamily Family, Gen<FuzzRequest> Requests)
{
    public override string ToString() => $"{Method} {Pattern}";
}

/// <summary>
/// Every route of <see cref="RouteTable"/> with a generator of hostile requests: bodies from valid
/// templates with one field replaced or removed, truncated, random, not objects, oversized or in odd
/// encodings; path values and query parameters from <see cref="FuzzValues"/>.
/// </summary>
internal static class FuzzRoutes
{
    public const string User = "fuzz-user-1";
    public const string Trait = "fuzz_trait";
    public const string Segment = "fuzz_segment";
    public const string Flag = "fuzz_flag";
    public const string FullFlag = "fuzz_flag_full";

    /// <summary>The server's limit (TinyCdpApiOptions.MaxRequestBodyBytes).</summary>
    public const int BodyLimit = 600 * 1024;

    private static readonly string[] Identity = ["userId", "anonymousId", "externalId", "deviceId"];

    private static readonly BodyTemplate Track = Ingest("""
        {"userId":"fuzz-user-1","anonymousId":"fuzz-anon-1","event":"purchase","properties":{"plan":"pro","amount":12.5,"items":[{"sku":"a-1","qty":2}],"tags":["x","y"]},
         "context":{"ip":"203.0.113.9","locale":"de-DE","page":{"path":"/checkout"}},"timestamp":"2026-01-01T10:00:00Z","sentAt":"2026-01-01T10:00:01Z","messageId":"fuzz-track-1"}
        """);

    private static readonly BodyTemplate UnicodeTrack = Ingest("""
        {"userId":"fuzz-user-ü","event":"Bestellung abgeschlossen ✓ 🎉","properties":{"città":"Zürich","名前":"テスト","rtl":"‮abc","zw":"a​b"}}
        """);

    private static readonly BodyTemplate SeedTrack = Ingest("""{"externalId":"fuzz-user-2","deviceId":"fuzz-device-2","event":"signup","ts":"2026-01-02T00:00:00Z","props":{"source":"ads"}}""");

    private static readonly BodyTemplate Identify = Ingest("""
        {"userId":"fuzz-user-1","anonymousId":"fuzz-anon-1","traits":{"plan":"pro","name":"Fuzz","age":30,"address":{"city":"Berlin"}},"context":{"ip":"203.0.113.9"},"timestamp":"2026-01-01T10:00:00Z"}
        """);

    private static readonly BodyTemplate Alias = Ingest("""{"previousId":"fuzz-anon-9","userId":"fuzz-user-9","timestamp":"2026-01-01T10:00:00Z"}""");

    private static readonly BodyTemplate Page = Ingest("""{"anonymousId":"fuzz-anon-1","name":"Checkout","category":"Shop","properties":{"path":"/checkout","title":"Pay"}}""");

    private static readonly BodyTemplate Screen = Ingest("""{"userId":"fuzz-user-1","name":"Home","properties":{"variant":"b"}}""");

    private static readonly BodyTemplate Group = Ingest("""{"userId":"fuzz-user-1","groupId":"fuzz-group-1","traits":{"name":"Acme","employees":12}}""");

    private static readonly BodyTemplate Batch = Ingest("""
        {"batch":[{"type":"track","userId":"fuzz-user-1","event":"purchase","properties":{"amount":3}},{"type":"identify","anonymousId":"fuzz-anon-3","traits":{"plan":"free"}},
                  {"type":"page","userId":"fuzz-user-1","name":"Home"}],"sentAt":"2026-01-01T10:00:01Z","context":{"library":{"name":"analytics-node"}}}
        """);

    private static readonly BodyTemplate Ofrep = new("""
        {"context":{"targetingKey":"fuzz-user-1","country":"DE","plan":"pro","age":30,"beta":true,"tags":["a","b"],"address":{"city":"Berlin"}}}
        """);

    private static readonly BodyTemplate NewTrait = new("""{"key":"fuzz_trait_new","expression":"events.purchase.count_30d + 1","description":"made by the fuzzer"}""");
    private static readonly BodyTemplate ReplacedTrait = new("""{"key":"fuzz_trait","expression":"events.purchase.count_30d","description":"replaced by the fuzzer"}""");
    private static readonly BodyTemplate NewSegment = new("""{"key":"fuzz_segment_new","rule":"profile.plan == \"pro\" && events.purchase.count_30d >= 1","description":"d"}""");
    private static readonly BodyTemplate ReplacedSegment = new("""{"key":"fuzz_segment","rule":"profile.plan == \"pro\""}""");
    private static readonly BodyTemplate SeedFlag = new("""{"key":"fuzz_flag_new","rule":"context.country == \"DE\""}""");
    private static readonly BodyTemplate ReplacedSeedFlag = new("""{"key":"fuzz_flag","rule":"context.country == \"DE\"","enabled":true}""");

    private static readonly BodyTemplate NewFullFlag = FlagTemplate("fuzz_flag_full_new");
    private static readonly BodyTemplate ReplacedFullFlag = FlagTemplate(FullFlag);


    private static readonly BodyTemplate Validate = new("""{"expression":"events.purchase.count_30d > 1","type":"segment"}""");
    private static readonly BodyTemplate Preview = new("""{"expression":"events.purchase.count_30d > 1","type":"segment","sampleSize":100}""");
    private static readonly BodyTemplate NewKey = new("""{"kind":"read","description":"made by the fuzzer"}""");

    private static readonly string[] ContentTypes =
    [
        "application/json", "text/plain", "application/json; charset=utf-8", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16", "garbage///", "*/*",
    ];

    public static IReadOnlyList<FuzzRoute> All { get; } = Build();

    /// <summary>A valid body for each route that takes one (the first template of each), to cut at every byte.</summary>
    public static IReadOnlyList<(string Method, string Path, RouteFamily Family, byte[] Body)> ValidBodies { get; } =
    [
        ("POST", "/v1/track", RouteFamily.Ingest, Track.Valid),
        ("POST", "/v1/track", RouteFamily.Ingest, UnicodeTrack.Valid),
        ("POST", "/v1/identify", RouteFamily.Ingest, Identify.Valid),
        ("POST", "/v1/alias", RouteFamily.Ingest, Alias.Valid),
        ("POST", "/v1/page", RouteFamily.Ingest, Page.Valid),
        ("POST", "/v1/screen", RouteFamily.Ingest, Screen.Valid),
        ("POST", "/v1/group", RouteFamily.Ingest, Group.Valid),
        ("POST", "/v1/batch", RouteFamily.Ingest, Batch.Valid),
        ("POST", "/ofrep/v1/evaluate/flags", RouteFamily.Ofrep, Ofrep.Valid),
        ("POST", "/ofrep/v1/evaluate/flags/" + Flag, RouteFamily.Ofrep, Ofrep.Valid),
        ("POST", "/v1/admin/traits", RouteFamily.Admin, NewTrait.Valid),
        ("PUT", "/v1/admin/segments/" + Segment, RouteFamily.Admin, ReplacedSegment.Valid),
        ("POST", "/v1/admin/flags", RouteFamily.Admin, NewFullFlag.Valid),
        ("POST", "/v1/admin/validate", RouteFamily.Admin, Validate.Valid),
        ("POST", "/v1/admin/preview", RouteFamily.Admin, Preview.Valid),
        ("POST", "/v1/admin/keys", RouteFamily.Admin, NewKey.Valid),
    ];

    private static List<FuzzRoute> Build()
    {
        var routes = new List<FuzzRoute>();
        foreach (var (path, templates) in new (string, BodyTemplate[])[]
        {
            ("/v1/track", [Track, SeedTrack, UnicodeTrack]), ("/v1/identify", [Identify]), ("/v1/alias", [Alias]), ("/v1/page", [Page]),
            ("/v1/screen", [Screen]), ("/v1/group", [Group]), ("/v1/batch", [Batch]), ("/v1/import", [Batch]),
        })
        {
            routes.Add(new("POST", path, RouteFamily.Ingest, Bodies("POST", Fixed(path), templates, RouteFamily.Ingest)));
        }

        routes.Add(new("POST", "/ofrep/v1/evaluate/flags", RouteFamily.Ofrep, Bodies("POST", Fixed("/ofrep/v1/evaluate/flags"), [Ofrep], RouteFamily.Ofrep)));
        routes.Add(new("POST", "/ofrep/v1/evaluate/flags/{key}", RouteFamily.Ofrep, Bodies("POST", PathWith("/ofrep/v1/evaluate/flags/", Flag, "key"), [Ofrep], RouteFamily.Ofrep)));

        foreach (var (plural, key, created, replaced) in new (string, string, BodyTemplate[], BodyTemplate[])[]
        {
            ("traits", Trait, [NewTrait], [ReplacedTrait]),
            ("segments", Segment, [NewSegment], [ReplacedSegment]),
            ("flags", Flag, [SeedFlag, NewFullFlag], [ReplacedSeedFlag, ReplacedFullFlag]),
        })
        {
            routes.Add(new("POST", $"/v1/admin/{plural}/", RouteFamily.Admin, Bodies("POST", Fixed($"/v1/admin/{plural}"), created, RouteFamily.Admin)));
            routes.Add(new("PUT", $"/v1/admin/{plural}/{{key}}", RouteFamily.Admin,
                Gen.Elements(replaced).SelectMany(template => Bodies("PUT", PathWith($"/v1/admin/{plural}/", template.Key!, "key"), [template], RouteFamily.Admin))));
            routes.Add(new("GET", $"/v1/admin/{plural}/", RouteFamily.Admin, Queries("GET", Fixed($"/v1/admin/{plural}"))));
            routes.Add(new("GET", $"/v1/admin/{plural}/{{key}}", RouteFamily.Admin, Queries("GET", PathWith($"/v1/admin/{plural}/", key, "key"))));
            routes.Add(new("DELETE", $"/v1/admin/{plural}/{{key}}", RouteFamily.Admin, Queries("DELETE", PathWith($"/v1/admin/{plural}/", "no_such_" + plural, "key"))));
        }

        routes.Add(new("POST", "/v1/admin/validate", RouteFamily.Admin, Bodies("POST", Fixed("/v1/admin/validate"), [Validate], RouteFamily.Admin)));
        routes.Add(new("POST", "/v1/admin/preview", RouteFamily.Admin, Bodies("POST", Fixed("/v1/admin/preview"), [Preview], RouteFamily.Admin)));
        routes.Add(new("POST", "/v1/admin/keys/", RouteFamily.Admin, Bodies("POST", Fixed("/v1/admin/keys"), [NewKey], RouteFamily.Admin)));
        routes.Add(new("GET", "/v1/admin/keys/", RouteFamily.Admin, Queries("GET", Fixed("/v1/admin/keys"))));
        routes.Add(new("DELETE", "/v1/admin/keys/{id}", RouteFamily.Admin, Queries("DELETE", PathWith("/v1/admin/keys/", "key_0000000000000000", "id"))));

        routes.Add(new("GET", "/v1/decide", RouteFamily.Admin, Queries("GET", Fixed("/v1/decide"),
            Choice(["userId", "anonymousId", "deviceId", "profileId"], [User, "fuzz-anon-1", "fuzz-device-2", "00000000-0000-0000-0000-000000000001"], required: true),
            Choice(["flag", "flags"], [Flag, $"{Flag},{FullFlag}"], required: true, extra: ["*"]),
            Context())));
        routes.Add(new("GET", "/v1/admin/users/search", RouteFamily.Admin, Queries("GET", Fixed("/v1/admin/users/search"),
            Parameter("query", User), Parameter("limit", "10"), Parameter("offset", "0"))));
        routes.Add(new("GET", "/v1/admin/users/{id}", RouteFamily.Admin, Queries("GET", PathWith("/v1/admin/users/", User, "id"), Parameter("asOf", "2026-01-01T00:00:00Z"))));
        routes.Add(new("GET", "/v1/admin/users/{id}/explain", RouteFamily.Admin, Queries("GET", PathWith("/v1/admin/users/", User, "id", "/explain"),
            Choice(["flag", "segment", "trait"], [Flag, Segment, Trait], required: true), Parameter("asOf", "2026-01-01T00:00:00Z"))));
        routes.Add(new("DELETE", "/v1/admin/users/{id}", RouteFamily.Admin, Queries("DELETE", PathWith("/v1/admin/users/", "fuzz-nobody", "id"), Parameter("suppress", "false"))));
        routes.Add(new("GET", "/v1/admin/changes", RouteFamily.Admin, Queries("GET", Fixed("/v1/admin/changes"), Parameter("after", "0"), Parameter("limit", "10"))));
        routes.Add(new("GET", "/v1/admin/metrics", RouteFamily.Admin, Queries("GET", Fixed("/v1/admin/metrics"))));
        routes.Add(new("GET", "/v1/admin/segments/{key}/size", RouteFamily.Admin, Queries("GET", PathWith("/v1/admin/segments/", Segment, "key", "/size"))));
        routes.Add(new("GET", "/v1/export/segment/{key}", RouteFamily.Admin, Queries("GET", PathWith("/v1/export/segment/", Segment, "key"))));
        routes.Add(new("GET", "/v1/export/segment/{key}.csv", RouteFamily.Admin, Queries("GET", PathWith("/v1/export/segment/", Segment, "key", ".csv"))));
        routes.Add(new("GET", "/ofrep/v1/configuration", RouteFamily.Admin, Queries("GET", Fixed("/ofrep/v1/configuration"))));
        foreach (var path in new[] { "/health", "/health/ready", "/ingest/health", "/decide/health", "/admin/health", "/export/health", "/identity/health", "/segments/health", "/traits/health" })
        {
            routes.Add(new("GET", path, RouteFamily.Admin, Queries("GET", Fixed(path))));
        }

        routes.Add(new("GET", "/openapi/{documentName}.json", RouteFamily.Admin, Queries("GET", PathWith("/openapi/", "v1", "documentName", ".json"))));
        return routes;
    }

    private static BodyTemplate Ingest(string json) => new(json, path =>
    {
        // Errors in a batch item are named batch[i].field; the rules are the same inside and outside.
        var (item, local) = SplitItem(path);
        var related = new List<string>();
        if (Identity.Contains(local))
        {
            related.AddRange(Identity.Select(name => item + name));
        }

        if (local is "timestamp" or "ts" or "sentAt")
        {
            related.AddRange([item + "timestamp", item + "ts", item + "sentAt"]);
        }

        if (local == "type" && item.Length > 0)
        {
            // Another type reads the item by other rules: any of its fields may be at fault.
            related.Add(item.TrimEnd('.'));
        }

        if (local is "sentAt" or "context" && item.Length == 0)
        {
            // A batch's sentAt and context are every item's defaults.
            related.Add("batch");
        }

        return [.. related];
    });

    private static BodyTemplate FlagTemplate(string key) => new($$$"""
        {"key":"{{{key}}}","enabled":true,"variants":{"on":true,"off":false,"blue":"#00f"},"defaultVariant":"off",
         "rules":[{"when":"context.plan == \"pro\"","variant":"blue"},{"when":"true","split":{"on":50,"off":50}}],"salt":"s1","bucketBy":"userId","description":"d"}
        """, path => path switch
    {
        "variants" => ["defaultVariant", "rules"],
        _ when path.StartsWith("variants.", StringComparison.Ordinal) => ["defaultVariant", "rules"],
        "bucketBy" => ["bucketingProperty"],
        _ => [],
    });

    private static (string Item, string Local) SplitItem(string path)
    {
        if (path.StartsWith("batch[", StringComparison.Ordinal) && path.IndexOf("].", StringComparison.Ordinal) is var end and > 0)
        {
            var rest = path[(end + 2)..];
            var dot = rest.IndexOfAny(['.', '[']);
            return (path[..(end + 2)], dot < 0 ? rest : rest[..dot]);
        }

        var first = path.IndexOfAny(['.', '[']);
        return ("", first < 0 ? path : path[..first]);
    }

    // ---- Paths ----

    private static Gen<(string Path, string[] Fields)> Fixed(string path) => Gen.Constant((path, Array.Empty<string>()));

    private static Gen<(string Path, string[] Fields)> PathWith(string prefix, string good, string field, string suffix = "") =>
        PathWith(prefix, [good], field, suffix);

    private static Gen<(string Path, string[] Fields)> PathWith(string prefix, string[] good, string field, string suffix = "") => Gen.Frequency(
        (3, Gen.Elements(good).Select(value => (prefix + value + suffix, Array.Empty<string>()))),
        (2, FuzzValues.UrlBytes.Where(bytes => bytes.Length is > 0 and <= 2_000 && !IsDotSegment(bytes))
            .Select(bytes => (prefix + FuzzValues.PercentEncode(bytes) + suffix, new[] { field }))));

    private static bool IsDotSegment(byte[] bytes) => bytes is [(byte)'.'] or [(byte)'.', (byte)'.'];

    // ---- Query strings ----

    /// <summary>A query parameter: its text (encoded, or empty when left out) and the names it changed.</summary>
    private sealed record QueryPart(string Text, string[] Changed);

    private static Gen<QueryPart> Parameter(string name, string good) => Gen.Frequency(
        (3, Gen.Constant(new QueryPart($"{name}={Uri.EscapeDataString(good)}", []))),
        (1, Gen.Constant(new QueryPart("", []))),
        (3, FuzzValues.UrlBytes.Select(bytes => new QueryPart($"{name}={FuzzValues.PercentEncode(bytes)}", [name]))),
        (1, Gen.Constant(new QueryPart($"{name}=", [name]))),
        (1, FuzzValues.UrlBytes.Select(bytes => new QueryPart($"{name}={Uri.EscapeDataString(good)}&{name}={FuzzValues.PercentEncode(bytes)}", [name]))));

    /// <summary>One of several alternative parameters (the person in decide, the definition in explain).</summary>
    private static Gen<QueryPart> Choice(string[] names, string[] good, bool required, string[]? extra = null)
    {
        var cases = new List<(int, Gen<QueryPart>)>
        {
            (4, Gen.Choose(0, names.Length - 1).Select(i => new QueryPart($"{names[i]}={Uri.EscapeDataString(good[Math.Min(i, good.Length - 1)])}", []))),
            (2, from i in Gen.Choose(0, names.Length - 1)
                from bytes in FuzzValues.UrlBytes
                select new QueryPart($"{names[i]}={FuzzValues.PercentEncode(bytes)}", names)),
            (1, Gen.Constant(new QueryPart("", required ? names : []))),
            (1, from picked in Gen.SubListOf(names)
                select new QueryPart(string.Join("&", picked.Select(n => $"{n}={Uri.EscapeDataString(good[Math.Min(Array.IndexOf(names, n), good.Length - 1)])}")), names)),
        };
        if (extra is { Length: > 0 })
        {
            cases.Add((1, Gen.Elements(extra).Select(value => new QueryPart($"{names[^1]}={Uri.EscapeDataString(value)}", []))));
        }

        return Gen.Frequency(cases.ToArray());
    }

    /// <summary>Free context attributes (decide): odd names and values that must never be an error.</summary>
    private static Gen<QueryPart> Context() =>
        from count in Gen.Choose(0, 3)
        from pairs in Gen.Zip(FuzzValues.UrlBytes.Where(b => b.Length is > 0 and < 200), FuzzValues.UrlBytes).ArrayOf(count)
        select new QueryPart(string.Join("&", pairs.Select(p => $"{FuzzValues.PercentEncode(p.Item1)}={FuzzValues.PercentEncode(p.Item2)}")), []);

    private static Gen<FuzzRequest> Queries(string method, Gen<(string Path, string[] Fields)> paths, params Gen<QueryPart>[] parameters)
    {
        Gen<QueryPart[]> all = parameters.Length == 0
            ? Gen.Constant(Array.Empty<QueryPart>())
            : parameters.Aggregate(Gen.Constant(Array.Empty<QueryPart>()), (acc, next) => from a in acc from p in next select (QueryPart[])[.. a, p]);
        var junk = Gen.Frequency((3, Gen.Constant("")), (1, FuzzValues.UrlBytes.Select(b => "junk=" + FuzzValues.PercentEncode(b))));
        return from path in paths
               from parts in all
               from extra in junk
               from key in Gen.Elements(KeyPlacement.Bearer, KeyPlacement.Basic, KeyPlacement.XApiKey)
               let query = string.Join("&", parts.Select(p => p.Text).Append(extra).Where(t => t.Length > 0))
               select new FuzzRequest(method, query.Length == 0 ? path.Path : path.Path + "?" + query, null, null, false, key, "query",
                   new Expectation([.. path.Fields, .. parts.SelectMany(p => p.Changed)], WholeBody: false));
    }

    // ---- Bodies ----

    private sealed record BodyCase(byte[] Body, string Story, Expectation Expect);

    private static Gen<FuzzRequest> Bodies(string method, Gen<(string Path, string[] Fields)> paths, BodyTemplate[] templates, RouteFamily family)
    {
        var ingest = family == RouteFamily.Ingest;
        var keys = ingest
            ? Gen.Frequency((4, Gen.Constant(KeyPlacement.Bearer)), (1, Gen.Elements(KeyPlacement.Basic, KeyPlacement.XApiKey, KeyPlacement.Query, KeyPlacement.BodyWriteKey)))
            : Gen.Elements(KeyPlacement.Bearer, KeyPlacement.Basic, KeyPlacement.XApiKey);
        var writeKeys = ingest ? Gen.Frequency((6, Gen.Constant<RawValue?>(null)), (1, FuzzValues.Value.Select(v => (RawValue?)v))) : Gen.Constant<RawValue?>(null);
        return from template in Gen.Elements(templates)
               from body in BodyCases(template)
               from path in paths
               from contentType in Gen.Frequency((4, Gen.Constant<string?>("application/json")), (2, Gen.Elements<string?>(ContentTypes)), (1, Gen.Constant<string?>(null)))
               from chunked in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
               from key in keys
               from writeKey in writeKeys
               select Request(method, path, body, contentType, chunked, key, writeKey);
    }

    private static FuzzRequest Request(string method, (string Path, string[] Fields) path, BodyCase body, string? contentType, bool chunked, KeyPlacement key, RawValue? writeKey)
    {
        var bytes = body.Body;
        var story = body.Story;
        var expect = body.Expect.With(path.Fields);
        if (writeKey is not null && BodyTemplate.WithWriteKey(bytes, writeKey.Bytes) is { } withOddKey)
        {
            // An odd writeKey next to a key in a header: 400 naming writeKey; as the only key: 401.
            bytes = withOddKey;
            story += $", writeKey := {writeKey}";
            expect = expect.With("writeKey") with
            {
                WholeBody = expect.WholeBody || writeKey.MayBreakBody,
                KeyMayBeUnreadable = key == KeyPlacement.BodyWriteKey,
            };
        }
        else if (key == KeyPlacement.BodyWriteKey)
        {
            // A key inside a body that is not a readable JSON object cannot be found: 401 is right then.
            var keyed = BodyTemplate.WithWriteKey(bytes, ServerFactoryBase.AdminKey);
            bytes = keyed ?? bytes;
            expect = expect with { KeyMayBeUnreadable = keyed is null || expect.WholeBody || expect.MustBeTooLarge || expect.Fields.Length > 0 };
        }

        return new FuzzRequest(method, path.Path, bytes, contentType, chunked, key, story, expect);
    }

    private static Gen<BodyCase> BodyCases(BodyTemplate template)
    {
        var whole = new Expectation([], WholeBody: true);
        var anyPath = Gen.Elements(template.Paths.ToArray());
        return Gen.Frequency(
            (2, Gen.Constant(new BodyCase(template.Valid, "valid", Expectation.None))),
            (8, from path in anyPath
                from value in IsExpressionField(path) ? Gen.Frequency((2, FuzzValues.Value), (3, ExpressionTexts.Any)) : FuzzValues.Value
                select new BodyCase(template.Replace(path, value.Bytes), $"{path} := {value}",
                    new Expectation([path, .. template.Related(path)], value.MayBreakBody))),
            (2, from path in anyPath
                select new BodyCase(template.Remove(path), $"{path} removed", new Expectation([path, .. template.Related(path)], false))),
            (3, from cut in Gen.Choose(0, template.Valid.Length - 1)
                select new BodyCase(template.Valid[..cut], $"cut at byte {cut}", whole)),
            (1, from bytes in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()
                select new BodyCase(bytes, "random bytes", whole)),
            (1, Gen.Elements("[]", "\"text\"", "42", "null", "true", "[" + Encoding.UTF8.GetString(template.Valid) + "]", " ", "\uFEFF")
                .Select(json => new BodyCase(JsonText.Utf8(json), "not an object", whole))),
            (1, Gen.Elements(" x", "}", "{}", ",", "\u0000", "\n{\"a\":1}").Select(tail => new BodyCase([.. template.Valid, .. JsonText.Utf8(tail)], "trailing text", whole))),
            (1, Gen.Elements(
                new BodyCase([0xEF, 0xBB, 0xBF, .. template.Valid], "UTF-8 byte order mark", Expectation.None),
                new BodyCase(Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(template.Valid)), "UTF-16", whole),
                new BodyCase([], "empty", whole),
                new BodyCase(FuzzValues.Nest(10_000, arrays: true, closed: true).Bytes, "10,000 levels of [", whole),
                new BodyCase(FuzzValues.Nest(10_000, arrays: false, closed: false).Bytes, "10,000 levels of {, unclosed", whole))),
            (1, Gen.Constant(new BodyCase(template.Replace(template.Paths[0], template.Valid), "the whole body in the first field",
                new Expectation([template.Paths[0]], false)))),
            (1, Gen.Elements(BodyLimit + 1, BodyLimit + 100_000, 2 * BodyLimit).Select(size => Padded(template, size, "over the limit",
                new Expectation([], WholeBody: true, MustBeTooLarge: true)))),
            (1, Gen.Elements(BodyLimit - 200, 500 * 1024 - 200, 32 * 1024 + 100).Select(size => Padded(template, size, "near a limit", whole))));
    }

    private static bool IsExpressionField(string path) => path is "expression" or "rule" || path.EndsWith(".when", StringComparison.Ordinal);

    /// <summary>The template with an unknown member <c>zzPadding</c> that brings it to exactly <paramref name="size"/> bytes.</summary>
    private static BodyCase Padded(BodyTemplate template, int size, string story, Expectation expect)
    {
        var valid = template.Valid;
        var prefix = JsonText.Utf8(",\"zzPadding\":\"");
        var padding = Math.Max(0, size - valid.Length - prefix.Length - 1);
        byte[] body = [.. valid.AsSpan(0, valid.Length - 1), .. prefix, .. Enumerable.Repeat((byte)'p', padding), (byte)'"', (byte)'}'];
        return new BodyCase(body, $"{story}: {body.Length} bytes", expect);
    }
}
