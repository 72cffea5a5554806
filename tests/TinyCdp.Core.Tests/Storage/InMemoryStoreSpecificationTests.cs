using TinyCdp.Storage;
using TinyCdp.Storage.Specification;

namespace TinyCdp.Core.Tests.Storage;

public sealed class InMemoryStoreSpecificationTests : StoreSpecification
{
    protected override async Task<ICdpStore> CreateStoreAsync()
    {
        var store = new InMemoryCdpStore();
        await store.MigrateAsync();
        return store;
    }
}
