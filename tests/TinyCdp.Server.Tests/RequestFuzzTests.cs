using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Server.Tests.Fuzzing;

namespace TinyCdp.Server.Tests;

/// <summary>
/// FsCheck-generated hostile requests at every route (<see cref="FuzzRoutes"/>): never a 5xx, a hang or a
/// dropped connection; every 4xx names what was wrong (<see cref="ResponseRules"/>); a rejected request
/// leaves the store as it was. <c>TINYCDP_FUZZ_COUNT</c> sets the number of cases per route (default
/// <see cref="DefaultCount"/>); see docs/reliability.md "Fuzzing".
/// </summary>
public sealed class RequestFuzzTests : IClassFixture<FuzzServerFactory>
{
    /// <summary>Cases per route in an ordinary run: the whole class stays well under a minute.</summary>
    public const int DefaultCount = 40;

    private readonly FuzzServerFactory _factory;

    public RequestFuzzTests(FuzzServerFactory factory) => _factory = factory;

    public static IEnumerable<object[]> Routes() => FuzzRoutes.All.Select(r => new object[] { r.Method, r.Pattern });

    [Fact]
    public void Routes_CoverEveryRouteOfTheServer() =>
        Assert.Equal(
            RouteTable.All.Select(r => $"{r.Method} {r.Pattern}").Order(StringComparer.Ordinal),
            FuzzRoutes.All.Select(r => $"{r.Method} {r.Pattern}").Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_AnyHostileRequest_IsAnsweredWithANamed4xxOrASuccess(string method, string pattern)
    {
        var route = FuzzRoutes.All.Single(r => r.Method == method && r.Pattern == pattern);
        await SeedAsync();

        Prop.ForAll(route.Requests.ToArbitrary(), request =>
        {
            var failure = Task.Run(() => _factory.SendAsync(route.Family, request)).GetAwaiter().GetResult();
            Assert.True(failure is null, failure);
        }).Check(FuzzSettings.Config(DefaultCount));
    }

    public static IEnumerable<object[]> ValidBodies() => FuzzRoutes.ValidBodies.Select((b, i) => new object[] { b.Method, b.Path, i });

    /// <summary>
    /// Every proper prefix of a valid body (compact JSON, so none is valid JSON; the Unicode one is also
    /// cut inside multi-byte characters) is refused with 400 naming the body, as OFREP's PARSE_ERROR on
    /// its routes, and changes nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(ValidBodies))]
    public async Task Route_ValidBodyCutAtEveryByte_IsRefusedNamingTheBody(string method, string path, int index)
    {
        await SeedAsync();
        var (_, _, family, body) = FuzzRoutes.ValidBodies[index];
        var failures = new List<string>();
        for (var cut = 0; cut < body.Length; cut++)
        {
            var request = new FuzzRequest(method, path, body[..cut], "application/json", false, KeyPlacement.Bearer, $"cut at byte {cut}", new Expectation([], WholeBody: true));
            if (await _factory.SendAsync(family, request) is { } failure)
            {
                failures.Add($"{request}: {failure}");
            }
            else if (_factory.LastStatus != 400)
            {
                failures.Add($"{request}: answered {_factory.LastStatus}, not 400");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(5)));
    }

    /// <summary>
    /// The definitions and the person the generated requests name, made again before each test (the
    /// fuzzer may have replaced or removed them; what exists already is kept).
    /// </summary>
    private async Task SeedAsync()
    {
        var cdp = _factory.Services.GetRequiredService<ITinyCdp>();
        await cdp.IdentifyAsync(FuzzRoutes.User);
        await cdp.TrackAsync(FuzzRoutes.User, "purchase");
        foreach (var result in new[]
        {
            await cdp.Definitions.SaveTraitAsync(new TraitDefinition(FuzzRoutes.Trait, "events.purchase.count_30d")),
            await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition(FuzzRoutes.Segment, "profile.plan == \"pro\"")),
            await cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule(FuzzRoutes.Flag, "context.country == \"DE\"")),
            await cdp.Definitions.SaveFlagAsync(FlagDefinition.FromRule(FuzzRoutes.FullFlag, "true")),
        })
        {
            Assert.True(result.Succeeded || result.Code == TinyCdpErrorCode.AlreadyExists, result.Error?.Message);
        }

        await cdp.Definitions.WaitForBackfillAsync();
    }
}
