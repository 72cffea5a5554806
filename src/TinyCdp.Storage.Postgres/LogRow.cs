namespace TinyCdp.Storage.Postgres;

/// <summary>A row of <c>cluster_log</c>.</summary>
internal sealed class LogRow
{
    public long Version { get; set; }
    public Guid Node { get; set; }
    public Guid[] Profiles { get; set; } = [];
    public bool Catalog { get; set; }
    public bool Keys { get; set; }
    public long LastSequence { get; set; }

    public const string Columns =
        "version AS Version, node AS Node, profiles AS Profiles, catalog AS Catalog, keys AS Keys, last_sequence AS LastSequence";
}
