using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static TinyCdp.Server.Tests.IngestTestHelpers;

namespace TinyCdp.Server.Tests;

/// <summary>
/// Expressions reach the server through the admin definition routes; whatever their shape they are
/// refused at save time with 400 and a positioned error (or accepted, when harmless), quickly and never
/// with a 500 or a stack overflow. The language has no way to name files, the network, reflection or the
/// environment: such names are unknown names or functions, and member access on a profile reads data.
/// Exact texts are pinned (docs/language.md "Errors" and its limits).
/// </summary>
public sealed class ExpressionSafetyTests : IClassFixture<ServerFactory>
{
    private const string TooDeep = "the expression is nested too deeply.";
    private const string TooLong = "Syntax error (line 1, column 10001): the expression is too long (10000 characters at most).";
    private const string NotCallable = "Name error (line 1, column 1): only functions and event aggregates can be called.";
    private const string Duration = "a duration must be a whole number from 1 to 1000000 followed by m, h, d or w.";

    /// <summary>Generous for CI; these answers take milliseconds.</summary>
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(3);

    private readonly ServerFactory _factory;
    private readonly HttpClient _admin;

    public ExpressionSafetyTests(ServerFactory factory)
    {
        _factory = factory;
        _admin = factory.ClientWith(ServerFactory.AdminKey);
    }

    public static TheoryData<string, string, string, int> Refused() => new()
    {
        { "10k parentheses, within the length", new string('(', 4_990) + "true" + new string(')', 4_990), "Syntax error (line 1, column 66): " + TooDeep, 65 },
        { "10k parentheses", new string('(', 5_000) + "true" + new string(')', 5_000), TooLong, 10_000 },
        { "nested lists", new string('[', 4_990) + "1" + new string(']', 4_990) + " == [1]", "Syntax error (line 1, column 66): " + TooDeep, 65 },
        { "9000 negations", new string('!', 9_000) + "true", "Syntax error (line 1, column 66): " + TooDeep, 65 },
        { "9000 minus signs", new string('-', 9_000) + "1 > 0", "Syntax error (line 1, column 66): " + TooDeep, 65 },
        { "nested calls", string.Concat(Enumerable.Repeat("coalesce(", 500)) + "true" + new string(')', 500), "Syntax error (line 1, column 586): " + TooDeep, 585 },
        { "a chain of 101 &&", Chain(" && ", 101), "Syntax error (line 1, column 9): " + TooDeep, 8 },
        { "a chain of 1250 ||", Chain(" || ", 1_250), "Syntax error (line 1, column 9201): " + TooDeep, 9_200 },
        { "10,001 characters", new string('x', 10_001), TooLong, 10_000 },
        { "a huge window literal", "events.purchase.count(99999999999999999999d) > 1", "Syntax error (line 1, column 44): " + Duration, 43 },
        { "a window over the limit", "events.purchase.count(1000001d) > 1", "Syntax error (line 1, column 31): " + Duration, 30 },
        { "a huge window member", "events.purchase.count_99999999d > 1", "Name error (line 1, column 1): unknown member 'count_99999999d' of events.purchase.", 0 },
        { "a window member over the limit", "events.purchase.count_1000001d > 1", "Window error (line 1, column 1): a window must be a whole number from 1 to 1000000 followed by m, h, d or w.", 0 },
        { "the file system", "System.IO.File.ReadAllText(\"/etc/passwd\") == \"\"", NotCallable, 0 },
        { "a constructor", "new System.Net.WebClient() == 1", "Syntax error (line 1, column 5): unexpected 'S', expected end of input.", 4 },
        { "the process", "Environment.Exit(1)", NotCallable, 0 },
        { "reflection on a value", "\"x\".GetType() == 1", NotCallable, 0 },
        { "typeof", "typeof(profile) == \"object\"", "Name error (line 1, column 1): unknown function 'typeof'.", 0 },
        { "eval", "eval(\"1\") == 1", "Name error (line 1, column 1): unknown function 'eval'.", 0 },
        { "the network", "fetch(\"http://example.invalid\") == 1", "Name error (line 1, column 1): unknown function 'fetch'.", 0 },
        { "a module", "import(\"fs\") == 1", "Name error (line 1, column 1): unknown function 'import'.", 0 },
        { "the environment", "env.HOME == \"/root\"", "Name error (line 1, column 1): unknown name 'env': it is not a trait or a built-in name.", 0 },
        { "a prototype", "__proto__ == 1", "Name error (line 1, column 1): unknown name '__proto__': it is not a trait or a built-in name.", 0 },
        { "backticks", "`ls` == 1", "Syntax error (line 1, column 1): unexpected '`', expected a number, string, name or '('.", 0 },
        { "template interpolation", "${7*7} == 49", "Syntax error (line 1, column 1): unexpected '$', expected a number, string, name or '('.", 0 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task PathologicalRule_IsRefusedAtSaveTime_WithAPositionedError(string what, string rule, string message, int start)
    {
        var key = Unique("unsafe");

        var (response, elapsed) = await TimedAsync(() => _admin.PostAsJsonAsync("/v1/admin/segments", new { key, rule }));

        var problem = await AssertRefusedAsync(response, "rule", message, start);
        Assert.True(elapsed < Quick, $"{what}: {elapsed}");
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/v1/admin/segments/{key}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task PathologicalExpression_IsInvalidForTheValidateRoute(string what, string expression, string message, int start)
    {
        var (response, elapsed) = await TimedAsync(() => _admin.PostAsJsonAsync("/v1/admin/validate", new { expression, type = "segment" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.JsonAsync();
        Assert.False(answer.GetProperty("valid").GetBoolean());
        Assert.Equal(message, answer.GetProperty("error").GetString());
        Assert.Equal(start, answer.GetProperty("span").GetProperty("start").GetInt32());
        Assert.True(elapsed < Quick, $"{what}: {elapsed}");
    }

    [Fact]
    public async Task EveryDefinitionRoute_RefusesTheSameWay_NamingItsField()
    {
        var deep = new string('(', 4_990) + "true" + new string(')', 4_990);
        var message = "Syntax error (line 1, column 66): " + TooDeep;
        var trait = Unique("deep_trait");
        var segment = Unique("deep_segment");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/segments", new { key = segment, rule = "true" })).StatusCode);

        await AssertRefusedAsync(await _admin.PostAsJsonAsync("/v1/admin/traits", new { key = trait, expression = deep }), "expression", message, 65);
        await AssertRefusedAsync(await _admin.PutAsJsonAsync($"/v1/admin/segments/{segment}", new { rule = deep }), "rule", message, 65);
        await AssertRefusedAsync(await _admin.PostAsJsonAsync("/v1/admin/flags", new { key = Unique("deep_flag"), rule = deep }), "rule", message, 65);
        await AssertRefusedAsync(await _admin.PostAsJsonAsync("/v1/admin/flags", new
        {
            key = Unique("deep_flag"),
            variants = new { on = true, off = false },
            defaultVariant = "off",
            rules = new object[] { new { when = "true", variant = "on" }, new { when = deep, variant = "off" } },
        }), "rules[1].when", message, 65);
        Assert.Equal("true", (await (await _admin.GetAsync($"/v1/admin/segments/{segment}")).JsonAsync()).GetProperty("rule").GetString());
    }

    [Fact]
    public async Task ReferenceCycle_IsRefusedAtSaveTime()
    {
        var a = Unique("cycle_a");
        var b = Unique("cycle_b");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/traits", new { key = a, expression = "1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/v1/admin/traits", new { key = b, expression = $"trait(\"{a}\") + 1" })).StatusCode);

        var response = await _admin.PutAsJsonAsync($"/v1/admin/traits/{a}", new { expression = $"trait(\"{b}\") + 1" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("expression", problem.GetProperty("field").GetString());
        Assert.Matches($"^reference cycle: ({a} -> {b} -> {a}|{b} -> {a} -> {b})$", problem.GetProperty("message").GetString());
        Assert.Equal("1", (await (await _admin.GetAsync($"/v1/admin/traits/{a}")).JsonAsync()).GetProperty("expression").GetString());
    }

    public static TheoryData<string, string, bool> Harmless() => new()
    {
        { "a chain of 60 &&", Chain(" && ", 60), true },
        { "a chain of 100 ||", Chain(" || ", 100), true },
        { "60 alternatives joined by &&", string.Join(" && ", Enumerable.Repeat("(profile.plan == \"pro\" || context.country == \"FR\")", 60)), true },
        { "63 parentheses", new string('(', 63) + "true" + new string(')', 63), true },
        { "exactly 10,000 characters", "profile.a == \"" + new string('y', 9_985) + "\"", false },
        { "a profile member named like a prototype", "profile.__proto__.constructor == 1", false },
        { "a profile index named like a constructor", "profile[\"constructor\"][\"prototype\"] == 1", false },
    };

    /// <summary>Harmless shapes are saved quickly, and evaluating them only reads data: the flag is simply off.</summary>
    [Theory]
    [MemberData(nameof(Harmless))]
    public async Task HarmlessButOddRule_IsSaved_AndEvaluatesAsData(string what, string rule, bool allow)
    {
        var key = Unique("odd_flag");

        var (response, elapsed) = await TimedAsync(() => _admin.PostAsJsonAsync("/v1/admin/flags", new { key, rule }));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.True(elapsed < Quick, $"{what}: {elapsed}");
        var decided = await _admin.GetAsync($"/v1/decide?userId=odd-user&flag={key}&country=FR");
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal(allow, (await decided.JsonAsync()).GetProperty("allow").GetBoolean());
    }

    private static string Chain(string op, int count) => string.Join(op, Enumerable.Repeat("true", count));

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        var response = await send();
        return (response, watch.Elapsed);
    }

    private static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, string field, string message, int start)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var problem = await response.JsonAsync();
        Assert.Equal("invalid_argument", problem.GetProperty("code").GetString());
        Assert.Equal(message, problem.GetProperty("message").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        var span = problem.GetProperty("span");
        Assert.Equal(start, span.GetProperty("start").GetInt32());
        Assert.Equal(1, span.GetProperty("line").GetInt32());
        Assert.Equal(start + 1, span.GetProperty("column").GetInt32());
        Assert.True(span.GetProperty("end").GetInt32() > start);
        return problem;
    }
}
