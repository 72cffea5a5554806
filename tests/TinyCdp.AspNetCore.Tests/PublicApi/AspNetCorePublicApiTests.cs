using System.Runtime.CompilerServices;
using TinyCdp.Testing.PublicApi;

namespace TinyCdp.AspNetCore.Tests.PublicApi;

/// <summary>Pins the public surface of TinyCdp.AspNetCore (see <see cref="PublicApiApproval"/>).</summary>
public class AspNetCorePublicApiTests
{
    [Fact]
    public void PublicApi_TinyCdpAspNetCore_MatchesTheApprovedFile() => PublicApiApproval.AssertMatches(typeof(TinyCdpApiOptions).Assembly, ApprovedPath());

    private static string ApprovedPath([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "TinyCdp.AspNetCore.approved.txt");
}
