using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>The catalog version joined with each definition (one row with null definition columns when there are none).</summary>
internal sealed class CatalogRow
{
    public long CatalogVersion { get; set; }
    public short? Kind { get; set; }
    public string? Key { get; set; }
    public string? Body { get; set; }
    public long? Version { get; set; }
    public DateTime? CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public const string Query =
        "SELECT c.version AS CatalogVersion, d.kind AS Kind, d.key AS Key, d.body AS Body, d.version AS Version, " +
        "d.created_at AS CreatedAt, d.updated_at AS UpdatedAt FROM catalog c LEFT JOIN definitions d ON true WHERE c.id = 1";

    public StoredDefinition? ToRecord() =>
        Kind is { } kind
            ? new(ToDefinitionKind(kind), Key!, Body!, Version!.Value, Instant(CreatedAt!.Value), Instant(UpdatedAt!.Value))
            : null;
}
