using TinyCdp.Storage;

namespace TinyCdp.Engine.Writing;

/// <summary>In the writer: stores a new API key, or revokes one that is stored and active.</summary>
internal sealed class ApiKeyChanges(EngineContext engine, StoreCommitter committer)
{
    public async Task<bool> ApplyAsync(ApiKeyOperation operation)
    {
        var transaction = new StoreTransaction();
        if (operation.Created is { } created)
        {
            transaction.ApiKeys.Add(created);
        }
        else
        {
            var keys = await engine.Store.GetApiKeysAsync(engine.Stopping).ConfigureAwait(false);
            if (keys.FirstOrDefault(k => k.Id == operation.RevokeId && k.RevokedAt is null) is not { } key)
            {
                return false;
            }

            transaction.ApiKeys.Add(key with { RevokedAt = operation.RevokedAt });
        }

        await committer.CommitAsync(transaction).ConfigureAwait(false);
        return true;
    }
}
