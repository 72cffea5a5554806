using System.Reflection;
using PublicApiGenerator;

namespace TinyCdp.Testing.PublicApi;

/// <summary>
/// Pins a package's public surface to an approved file beside its test: a change to it must be
/// deliberate. On a difference the generated surface is written next to the approved file as
/// <c>.received.txt</c>; if the change is intended, copy it over the approved file in the same commit.
/// </summary>
public static class PublicApiApproval
{
    /// <summary>Fails unless <paramref name="assembly"/>'s public API equals the text of <paramref name="approvedPath"/>.</summary>
    public static void AssertMatches(Assembly assembly, string approvedPath)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var api = assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false });
        var received = approvedPath.Replace(".approved.txt", ".received.txt", StringComparison.Ordinal);
        if (!File.Exists(approvedPath) || File.ReadAllText(approvedPath) != api)
        {
            File.WriteAllText(received, api);
        }

        Assert.True(File.Exists(approvedPath), $"No approved public API yet: see {received}.");
        Assert.Equal(File.ReadAllText(approvedPath), api);
    }
}
