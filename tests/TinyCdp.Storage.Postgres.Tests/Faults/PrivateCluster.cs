using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TinyCdp.Storage.Postgres.Tests.Faults;

/// <summary>
/// A PostgreSQL cluster of a test's own (initdb in a temporary directory, a free loopback port), so
/// the test can stop and start it without disturbing the server the other tests share. The binaries
/// come from <c>TINYCDP_TEST_PGBIN</c> (set by .ci/run) or the newest <c>/usr/lib/postgresql/*/bin</c>;
/// as root, the server runs as the <c>postgres</c> user.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;

    private PrivateCluster(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Timeout=3;Command Timeout=10;Pooling=true";

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PrivateCluster> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("TINYCDP_TEST_PGBIN") is { Length: > 0 } configured
            ? configured
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version(0, 0)).Select(d => Path.Combine(d, "bin")).LastOrDefault()
                : null;
        if (bin is null || !File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new InvalidOperationException("PostgreSQL binaries not found: set TINYCDP_TEST_PGBIN (.ci/run does).");
        }

        var directory = Path.Combine(Path.GetTempPath(), "tinycdp-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var cluster = new PrivateCluster(bin, directory, FreePort());
        if (IsRoot)
        {
            await RunAsync("chown", $"postgres:postgres {directory}");
        }

        await cluster.RunPgAsync("initdb", $"-D {cluster.DataDirectory} -U postgres --auth=trust -E UTF8 --no-sync");
        await cluster.StartServerAsync();
        return cluster;
    }

    /// <summary>Starts (again) on the same data and port.</summary>
    public Task StartServerAsync() =>
        RunPgAsync("pg_ctl", $"-D {DataDirectory} -l {Path.Combine(_directory, "log")} -w -o \"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=on\" start");

    /// <summary>Stops like a crash (immediate: no checkpoint, connections cut).</summary>
    public Task CrashAsync() => RunPgAsync("pg_ctl", $"-D {DataDirectory} -m immediate -w stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunPgAsync("pg_ctl", $"-D {DataDirectory} -m immediate -w stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunPgAsync(string tool, string arguments) =>
        IsRoot ? RunAsync("runuser", $"-u postgres -- {Path.Combine(_bin, tool)} {arguments}") : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {await output} {await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
