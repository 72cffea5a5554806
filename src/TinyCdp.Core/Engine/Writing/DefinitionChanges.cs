using Microsoft.Extensions.Logging;
using TinyCdp.Definitions;
using TinyCdp.Engine.Backfill;
using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// In the writer: a definition saved or deleted. The whole catalog is compiled with the change (an
/// error refuses it with nothing changed), committed with its history entry, swapped in, and a
/// backfill started when memberships or trait values may change.
/// </summary>
internal sealed partial class DefinitionChanges(EngineContext engine, StoreCommitter committer, CatalogBackfill backfill)
{
    /// <summary>In the writer: compile the catalog with the change; commit it; swap it in; start the backfill.</summary>
    public async Task<DefinitionResult> ApplyAsync(DefinitionOperation operation)
    {
        var catalog = engine.Catalog;
        var kindName = operation.Kind.ToString().ToLowerInvariant();
        var definitions = catalog.Definitions;
        var exists = operation.Kind switch
        {
            DefinitionKind.Trait => catalog.FindTrait(operation.Key) is not null,
            DefinitionKind.Segment => catalog.FindSegment(operation.Key) is not null,
            _ => catalog.FindFlag(operation.Key) is not null,
        };
        DefinitionResult Refuse(TinyCdpErrorCode code, string message) =>
            new(new DefinitionError(operation.Kind, operation.Key, "key", message), code, catalog.Version);

        if (operation.BodyJson is null)
        {
            if (!exists)
            {
                return Refuse(TinyCdpErrorCode.NotFound, $"{kindName} '{operation.Key}' not found");
            }

            var dependents = operation.Kind == DefinitionKind.Flag ? [] : catalog.DependentsOf(operation.Kind, operation.Key);
            if (dependents.Count > 0)
            {
                return new DefinitionResult(
                    new DefinitionError(operation.Kind, operation.Key, "key", $"{kindName} '{operation.Key}' is used by {string.Join(", ", dependents)}") { Dependents = dependents },
                    TinyCdpErrorCode.Conflict, catalog.Version);
            }
        }
        else if (operation.Mode == SaveMode.Create && exists)
        {
            return Refuse(TinyCdpErrorCode.AlreadyExists, $"{kindName} '{operation.Key}' already exists");
        }
        else if (operation.Mode == SaveMode.Update && !exists)
        {
            return Refuse(TinyCdpErrorCode.NotFound, $"{kindName} '{operation.Key}' not found");
        }

        var changed = Replace(definitions, operation);
        var version = catalog.Version + 1;
        if (!CatalogCompiler.TryCompile(changed, version, engine.Options.Retention, out var compiled, out var error))
        {
            return new DefinitionResult(error, TinyCdpErrorCode.InvalidArgument, catalog.Version);
        }

        var now = engine.Time.GetUtcNow();
        var before = Body(catalog, operation.Kind, operation.Key);
        var transaction = new StoreTransaction { CatalogVersion = version };
        if (operation.BodyJson is null)
        {
            transaction.DeletedDefinitions.Add((operation.Kind, operation.Key));
        }
        else
        {
            var created = (await engine.Store.GetDefinitionsAsync(engine.Stopping).ConfigureAwait(false)).Definitions
                .FirstOrDefault(d => d.Kind == operation.Kind && d.Key == operation.Key)?.CreatedAt ?? now;
            transaction.Definitions.Add(new StoredDefinition(operation.Kind, operation.Key, operation.BodyJson, version, created, now));
        }

        transaction.DefinitionChanges.Add(new StoredDefinitionChange(version, operation.Kind, operation.Key, operation.Actor, now, before, operation.BodyJson));
        await committer.CommitAsync(transaction).ConfigureAwait(false);
        engine.SetCatalog(compiled);
        Log.CatalogChanged(engine.Logger, version, $"{(operation.BodyJson is null ? "deleted" : "saved")} {kindName} {operation.Key}");
        if (operation.Kind != DefinitionKind.Flag)
        {
            backfill.Start(compiled);
        }

        return new DefinitionResult(null, null, version);
    }

    private static CatalogDefinitions Replace(CatalogDefinitions definitions, DefinitionOperation operation)
    {
        var key = operation.Key;
        var body = operation.BodyJson;
        return operation.Kind switch
        {
            DefinitionKind.Trait => definitions with
            {
                Traits = [.. definitions.Traits.Where(t => t.Key != key), .. body is null ? [] : new[] { DefinitionJson.ReadTrait(body) }],
            },
            DefinitionKind.Segment => definitions with
            {
                Segments = [.. definitions.Segments.Where(s => s.Key != key), .. body is null ? [] : new[] { DefinitionJson.ReadSegment(body) }],
            },
            _ => definitions with
            {
                Flags = [.. definitions.Flags.Where(f => f.Key != key), .. body is null ? [] : new[] { DefinitionJson.ReadFlag(body) }],
            },
        };
    }

    private static string? Body(CatalogSnapshot catalog, DefinitionKind kind, string key) => kind switch
    {
        DefinitionKind.Trait => catalog.FindTrait(key) is { } t ? DefinitionJson.Write(t.Definition) : null,
        DefinitionKind.Segment => catalog.FindSegment(key) is { } s ? DefinitionJson.Write(s.Definition) : null,
        _ => catalog.FindFlag(key) is { } f ? DefinitionJson.Write(f.Definition) : null,
    };

    private static partial class Log
    {
        [LoggerMessage(3, LogLevel.Information, "Catalog version {Version}: {Change}")]
        public static partial void CatalogChanged(ILogger logger, long version, string change);
    }
}
