using System.Runtime.CompilerServices;
using TinyCdp.Testing.PublicApi;

namespace TinyCdp.Storage.Postgres.Tests.PublicApi;

/// <summary>Pins the public surface of TinyCdp.Storage.Postgres (see <see cref="PublicApiApproval"/>).</summary>
public class PostgresPublicApiTests
{
    [Fact]
    public void PublicApi_TinyCdpStoragePostgres_MatchesTheApprovedFile() => PublicApiApproval.AssertMatches(typeof(PostgresCdpStore).Assembly, ApprovedPath());

    private static string ApprovedPath([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "TinyCdp.Storage.Postgres.approved.txt");
}
