using System.Runtime.CompilerServices;
using TinyCdp.Testing.PublicApi;

namespace TinyCdp.Core.Tests.PublicApi;

/// <summary>Pins the public surface of TinyCdp.Core (see <see cref="PublicApiApproval"/>).</summary>
public class PublicApiTests
{
    [Fact]
    public void PublicApi_TinyCdpCore_MatchesTheApprovedFile() => PublicApiApproval.AssertMatches(typeof(ITinyCdp).Assembly, ApprovedPath());

    private static string ApprovedPath([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "TinyCdp.Core.approved.txt");
}
