using System.Security.Cryptography;
using System.Text;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Core.Tests.Ingestion;

public class IdentifierRulesTests
{
    private const string AliceHash = "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n")]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData(" Null ")]
    [InlineData("undefined")]
    [InlineData("Undefined")]
    [InlineData("0")]
    [InlineData(" 0 ")]
    [InlineData("anonymous")]
    [InlineData("Anonymous")]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("nil")]
    [InlineData("unknown")]
    [InlineData("UNKNOWN")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public void IsUsable_PlaceholderOrBlank_IsFalse(string? value)
    {
        Assert.False(IdentifierRules.IsUsable(value));
    }

    [Theory]
    [InlineData("u1")]
    [InlineData(" u1 ")]
    [InlineData("00")]
    [InlineData("0.0")]
    [InlineData("-1")]
    [InlineData("42")]
    [InlineData("nullable")]
    [InlineData("null0")]
    [InlineData("anonymous-7")]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    [InlineData("507f191e810c19729de860ea")]
    public void IsUsable_RealValue_IsTrue(string value)
    {
        Assert.True(IdentifierRules.IsUsable(value));
    }

    [Fact]
    public void EmailHash_PaddedMixedCaseAddress_IsSha256OfTrimmedLowerCase()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("alice@example.com")));

        Assert.Equal(AliceHash, expected);
        Assert.Equal(AliceHash, IdentifierRules.EmailHash(" Alice@Example.COM "));
        Assert.Equal(AliceHash, IdentifierRules.EmailHash("alice@example.com"));
    }

    [Fact]
    public void EmailHash_NonAsciiAddress_HashesUtf8OfInvariantLowerCase()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("zoë@exämple.com")));

        Assert.Equal(expected, IdentifierRules.EmailHash("ZOË@Exämple.com"));
    }

    [Fact]
    public void EmailHash_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => IdentifierRules.EmailHash(null!));
    }

    [Theory]
    [InlineData("alice@example.com", true)]
    [InlineData(" a@b ", true)]
    [InlineData("@example.com", false)]
    [InlineData("alice@", false)]
    [InlineData("n/a", false)]
    [InlineData("null", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsUsableEmail_Address_NeedsSomethingOnBothSidesOfAt(string? email, bool expected)
    {
        Assert.Equal(expected, IdentifierRules.IsUsableEmail(email));
    }

    [Fact]
    public void Extract_Track_UserIdThenAnonymousId()
    {
        var identifiers = IdentifierRules.Extract(CdpMessage.Track("u1", "e", anonymousId: "a1"));

        Assert.Equal([new Identifier(IdentifierKind.UserId, "u1"), new Identifier(IdentifierKind.AnonymousId, "a1")], identifiers);
    }

    [Fact]
    public void Extract_Placeholders_AreLeftOut()
    {
        Assert.Equal([new Identifier(IdentifierKind.AnonymousId, "a1")], IdentifierRules.Extract(CdpMessage.Track("null", "e", anonymousId: "a1")));
        Assert.Empty(IdentifierRules.Extract(CdpMessage.Track("0", "e", anonymousId: "")));
    }

    [Fact]
    public void Extract_ValuesAreKeptAsSent()
    {
        Assert.Equal([new Identifier(IdentifierKind.UserId, " U1 ")], IdentifierRules.Extract(CdpMessage.Track(" U1 ", "e")));
    }

    [Fact]
    public void Extract_IdentifyWithEmail_AddsTheEmailHashLast()
    {
        var message = CdpMessage.Identify("u1", Value.ParseJson("""{"email":" Alice@Example.COM "}"""), anonymousId: "a1");

        Assert.Equal(
            [new Identifier(IdentifierKind.UserId, "u1"), new Identifier(IdentifierKind.AnonymousId, "a1"), new Identifier(IdentifierKind.EmailHash, AliceHash)],
            IdentifierRules.Extract(message));
    }

    [Theory]
    [InlineData("""{"email":"n/a"}""")]
    [InlineData("""{"email":""}""")]
    [InlineData("""{"email":42}""")]
    [InlineData("""{"email":null}""")]
    [InlineData("""{"Email":"alice@example.com"}""")]
    [InlineData("""{"profile":{"email":"alice@example.com"}}""")]
    public void Extract_IdentifyWithoutUsableEmail_HasNoEmailHash(string traits)
    {
        Assert.Empty(IdentifierRules.Extract(CdpMessage.Identify(null, Value.ParseJson(traits))));
    }

    [Fact]
    public void Extract_TrackOrGroupWithTraitsEmail_HasNoEmailHash()
    {
        var traits = Value.ParseJson("""{"email":"alice@example.com"}""");

        Assert.Equal([new Identifier(IdentifierKind.UserId, "u1")], IdentifierRules.Extract(CdpMessage.Track("u1", "e") with { Traits = traits }));
        Assert.Equal([new Identifier(IdentifierKind.UserId, "u1")], IdentifierRules.Extract(new CdpMessage { Kind = MessageKind.Group, UserId = "u1", GroupId = "g", Traits = traits }));
    }

    [Fact]
    public void Extract_Alias_OnlyTheUserId()
    {
        var message = CdpMessage.Alias("anon-1", "u1") with { AnonymousId = "a1" };

        Assert.Equal([new Identifier(IdentifierKind.UserId, "u1")], IdentifierRules.Extract(message));
    }

    [Fact]
    public void AliasTargets_Alias_PreviousIdAsUserIdAndAnonymousId()
    {
        Assert.Equal(
            [new Identifier(IdentifierKind.UserId, "anon-1"), new Identifier(IdentifierKind.AnonymousId, "anon-1")],
            IdentifierRules.AliasTargets(CdpMessage.Alias("anon-1", "u1")));
    }

    [Fact]
    public void AliasTargets_PlaceholderPreviousIdOrNotAnAlias_IsEmpty()
    {
        Assert.Empty(IdentifierRules.AliasTargets(CdpMessage.Alias("undefined", "u1")));
        Assert.Empty(IdentifierRules.AliasTargets(CdpMessage.Track("u1", "e") with { PreviousId = "p1" }));
    }

    [Fact]
    public void Extract_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => IdentifierRules.Extract(null!));
        Assert.Throws<ArgumentNullException>(() => IdentifierRules.AliasTargets(null!));
    }
}
