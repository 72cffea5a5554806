using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Keys;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Storage;

/// <summary>The persisted codes: pinned (databases hold them) and round-tripping for every enum member.</summary>
public class StoredCodesTests
{
    [Fact]
    public void Codes_ArePinned()
    {
        Assert.Equal([0, 1, 2, 3, 4, 5], new[] { MessageKind.Track, MessageKind.Identify, MessageKind.Alias, MessageKind.Page, MessageKind.Screen, MessageKind.Group }.Select(k => (int)StoredCodes.Code(k)));
        Assert.Equal([0, 1, 2], new[] { IdentifierKind.UserId, IdentifierKind.AnonymousId, IdentifierKind.EmailHash }.Select(k => (int)StoredCodes.Code(k)));
        Assert.Equal([0, 1, 2, 3, 4], new[] { ChangeCause.Event, ChangeCause.Time, ChangeCause.Definition, ChangeCause.Merge, ChangeCause.Delete }.Select(k => (int)StoredCodes.Code(k)));
        Assert.Equal([0, 1, 2], new[] { DefinitionKind.Trait, DefinitionKind.Segment, DefinitionKind.Flag }.Select(k => (int)StoredCodes.Code(k)));
        Assert.Equal([0, 1, 2], new[] { ApiKeyKind.Read, ApiKeyKind.Write, ApiKeyKind.Admin }.Select(k => (int)StoredCodes.Code(k)));
        Assert.Null(StoredCodes.Code((DefinitionKind?)null));
    }

    [Fact]
    public void EveryMember_RoundTrips()
    {
        Assert.All(Enum.GetValues<MessageKind>(), k => Assert.Equal(k, StoredCodes.ToMessageKind(StoredCodes.Code(k))));
        Assert.All(Enum.GetValues<IdentifierKind>(), k => Assert.Equal(k, StoredCodes.ToIdentifierKind(StoredCodes.Code(k))));
        Assert.All(Enum.GetValues<ChangeCause>(), k => Assert.Equal(k, StoredCodes.ToChangeCause(StoredCodes.Code(k))));
        Assert.All(Enum.GetValues<DefinitionKind>(), k => Assert.Equal(k, StoredCodes.ToDefinitionKind(StoredCodes.Code(k))));
        Assert.All(Enum.GetValues<ApiKeyKind>(), k => Assert.Equal(k, StoredCodes.ToApiKeyKind(StoredCodes.Code(k))));
    }

    [Fact]
    public void UnknownCode_IsAStoreErrorNamingIt()
    {
        var error = Assert.Throws<TinyCdpException>(() => StoredCodes.ToChangeCause(9));

        Assert.Equal(TinyCdpErrorCode.StoreUnavailable, error.Code);
        Assert.Equal("The database holds the ChangeCause code 9, which this version of TinyCdp does not know.", error.Message);
    }
}
