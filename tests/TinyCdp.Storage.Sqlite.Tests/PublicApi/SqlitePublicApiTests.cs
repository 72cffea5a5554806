using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace TinyCdp.Storage.Sqlite.Tests.PublicApi;

/// <summary>
/// Pins the public surface of TinyCdp.Storage.Sqlite: a change to it must be deliberate. When this fails,
/// read the .received.txt written next to the approved file, and if the change is intended, copy it over
/// the approved file in the same commit.
/// </summary>
public class SqlitePublicApiTests
{
    [Fact]
    public void PublicApi_TinyCdpStorageSqlite_MatchesTheApprovedFile()
    {
        var api = typeof(SqliteCdpStore).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false });
        var approved = ApprovedPath();

        if (!File.Exists(approved) || File.ReadAllText(approved) != api)
        {
            File.WriteAllText(approved.Replace(".approved.txt", ".received.txt", StringComparison.Ordinal), api);
        }

        Assert.True(File.Exists(approved), $"No approved public API yet: see {approved.Replace(".approved.txt", ".received.txt", StringComparison.Ordinal)}.");
        Assert.Equal(File.ReadAllText(approved), api);
    }

    private static string ApprovedPath([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "TinyCdp.Storage.Sqlite.approved.txt");
}
