using System.Runtime.CompilerServices;
using TinyCdp.Testing.PublicApi;

namespace TinyCdp.Storage.Sqlite.Tests.PublicApi;

/// <summary>Pins the public surface of TinyCdp.Storage.Sqlite (see <see cref="PublicApiApproval"/>).</summary>
public class SqlitePublicApiTests
{
    [Fact]
    public void PublicApi_TinyCdpStorageSqlite_MatchesTheApprovedFile() => PublicApiApproval.AssertMatches(typeof(SqliteCdpStore).Assembly, ApprovedPath());

    private static string ApprovedPath([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "TinyCdp.Storage.Sqlite.approved.txt");
}
