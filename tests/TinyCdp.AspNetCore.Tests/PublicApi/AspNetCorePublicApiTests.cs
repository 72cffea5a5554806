using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace TinyCdp.AspNetCore.Tests.PublicApi;

/// <summary>
/// Pins the public surface of TinyCdp.AspNetCore: a change to it must be deliberate. When this fails,
/// read the .received.txt written next to the approved file, and if the change is intended, copy it
/// over the approved file in the same commit.
/// </summary>
public class AspNetCorePublicApiTests
{
    [Fact]
    public void PublicApi_TinyCdpAspNetCore_MatchesTheApprovedFile()
    {
        var api = typeof(TinyCdpApiOptions).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false });
        var approved = ApprovedPath();

        if (!File.Exists(approved) || File.ReadAllText(approved) != api)
        {
            File.WriteAllText(approved.Replace(".approved.txt", ".received.txt", StringComparison.Ordinal), api);
        }

        Assert.True(File.Exists(approved), $"No approved public API yet: see {approved.Replace(".approved.txt", ".received.txt", StringComparison.Ordinal)}.");
        Assert.Equal(File.ReadAllText(approved), api);
    }

    private static string ApprovedPath([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "TinyCdp.AspNetCore.approved.txt");
}
