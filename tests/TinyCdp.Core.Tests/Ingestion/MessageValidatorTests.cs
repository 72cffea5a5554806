using TinyCdp.Ingestion;
using TinyCdp.Language;
using static TinyCdp.Core.Tests.Ingestion.IngestionJson;

namespace TinyCdp.Core.Tests.Ingestion;

public class MessageValidatorTests
{
    private const string Placeholders = " (\"\", \"null\", \"0\" and similar placeholders do not count)";

    private static Value Traits(string json) => Value.ParseJson(Q(json));

    public static TheoryData<CdpMessage> ValidMessages => new()
    {
        CdpMessage.Track("u1", "Signed Up"),
        CdpMessage.Track(null, "Signed Up", anonymousId: "a1"),
        CdpMessage.Track("u1", new string('e', 200), Traits("{'plan':'pro'}"), DateTimeOffset.UnixEpoch, messageId: new string('m', 200)),
        CdpMessage.Track("u1", "price$"),
        CdpMessage.Identify("u1"),
        CdpMessage.Identify(null, anonymousId: "a1"),
        CdpMessage.Identify(null, Traits("{'email':'alice@example.com'}")),
        CdpMessage.Alias("anon-1", "u1"),
        new CdpMessage { Kind = MessageKind.Page, AnonymousId = "a1" },
        new CdpMessage { Kind = MessageKind.Page, AnonymousId = "a1", Event = "$Home" },
        new CdpMessage { Kind = MessageKind.Screen, UserId = "u1", Event = "Home" },
        new CdpMessage { Kind = MessageKind.Group, UserId = "u1", GroupId = "g1", Traits = Traits("{'name':'Initech'}") },
        new CdpMessage { Kind = MessageKind.Track, UserId = "u1", Event = "e", Context = Traits("{'ip':'8.8.8.8'}") },
        CdpMessage.Track("👩‍💻", "Zoë signed up 🎉"),
    };

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public void Validate_ValidMessage_ReturnsNull(CdpMessage message)
    {
        Assert.Null(MessageValidator.Validate(message, null));
    }

    public static TheoryData<CdpMessage, string, string> InvalidMessages => new()
    {
        { CdpMessage.Track("u1", null!), "event", "event is required" },
        { CdpMessage.Track("u1", ""), "event", "event must not be empty" },
        { CdpMessage.Track("u1", "  "), "event", "event must not be empty" },
        { CdpMessage.Track("u1", new string('e', 201)), "event", "event must be at most 200 characters (it has 201)" },
        { CdpMessage.Track("u1", "$page"), "event", "event names starting with '$' are reserved" },
        { CdpMessage.Track("u1", "$"), "event", "event names starting with '$' are reserved" },
        { CdpMessage.Track("u1", "e", messageId: ""), "messageId", "messageId must not be empty" },
        { CdpMessage.Track("u1", "e", messageId: " "), "messageId", "messageId must not be empty" },
        { CdpMessage.Track("u1", "e", messageId: new string('m', 201)), "messageId", "messageId must be at most 200 characters (it has 201)" },
        { CdpMessage.Track(null, "e"), "userId", "userId or anonymousId is required" + Placeholders },
        { CdpMessage.Track("null", "e", anonymousId: "undefined"), "userId", "userId or anonymousId is required" + Placeholders },
        { CdpMessage.Track(" ", "e", anonymousId: "0"), "userId", "userId or anonymousId is required" + Placeholders },
        { CdpMessage.Track(null, "e", Traits("{'email':'alice@example.com'}")) with { Traits = Traits("{'email':'alice@example.com'}") }, "userId", "userId or anonymousId is required" + Placeholders },
        { CdpMessage.Identify(null), "userId", "userId, anonymousId or traits.email is required" + Placeholders },
        { CdpMessage.Identify("anonymous", Traits("{'email':'n/a'}")), "userId", "userId, anonymousId or traits.email is required" + Placeholders },
        { CdpMessage.Identify(null, Traits("{'email':42}")), "userId", "userId, anonymousId or traits.email is required" + Placeholders },
        { CdpMessage.Alias(null!, "u1"), "previousId", "previousId is required" + Placeholders },
        { CdpMessage.Alias("null", "u1"), "previousId", "previousId is required" + Placeholders },
        { CdpMessage.Alias("anon-1", ""), "userId", "userId is required" + Placeholders },
        { CdpMessage.Alias("anon-1", null!) with { AnonymousId = "a1" }, "userId", "userId is required" + Placeholders },
        { new CdpMessage { Kind = MessageKind.Group, UserId = "u1" }, "groupId", "groupId is required" },
        { new CdpMessage { Kind = MessageKind.Group, UserId = "u1", GroupId = " " }, "groupId", "groupId is required" },
        { new CdpMessage { Kind = MessageKind.Page }, "userId", "userId or anonymousId is required" + Placeholders },
        { new CdpMessage { Kind = (MessageKind)42, UserId = "u1" }, "type", "type must be one of track, identify, alias, page, screen, group" },
        { CdpMessage.Track("u1", "e", Value.Number(1)), "properties", "properties must be an object" },
        { CdpMessage.Track("u1", "e", Value.List([])), "properties", "properties must be an object" },
        { CdpMessage.Identify("u1", Value.String("pro")), "traits", "traits must be an object" },
        { CdpMessage.Track("u1", "e") with { Context = Value.True }, "context", "context must be an object" },
        { CdpMessage.Track("u\uD800", "e"), "userId", "userId contains invalid Unicode text" },
        { CdpMessage.Track("u1", "e\uDC00"), "event", "event contains invalid Unicode text" },
        { new CdpMessage { Kind = MessageKind.Page, UserId = "u1", Event = "\uD800" }, "name", "name contains invalid Unicode text" },
        { CdpMessage.Track("u1", "e", Traits("{'a':['x']}")) with { Properties = Value.Object([KeyValuePair.Create("a", Value.List([Value.String("\uDBFF")]))]) }, "properties.a[0]", "properties.a[0] contains invalid Unicode text" },
        { CdpMessage.Track("u1", "e", Value.Object([KeyValuePair.Create("\uDBFFx", Value.Null)])), "properties", "properties has a field name that contains invalid Unicode text" },
    };

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void Validate_InvalidMessage_NamesTheField(CdpMessage message, string field, string text)
    {
        AssertError(MessageValidator.Validate(message, null)!, MessageErrorKind.Invalid, field, text);
    }

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void Validate_InvalidMessageInBatch_PrefixesIndex(CdpMessage message, string field, string text)
    {
        AssertError(MessageValidator.Validate(message, 3)!, MessageErrorKind.Invalid, "batch[3]." + field, "batch[3]: " + text, 3);
    }

    [Fact]
    public void Validate_ReservedEventInBatch_NamesTheItem()
    {
        var error = MessageValidator.Validate(CdpMessage.Track("u1", "$identify"), 3)!;

        Assert.Equal("batch[3].event", error.Field);
        Assert.Equal("batch[3]: event names starting with '$' are reserved", error.Message);
        Assert.Equal("batch[3]: event names starting with '$' are reserved", error.ToString());
    }

    [Fact]
    public void Validate_AliasAnonymousId_DoesNotStandInForUserId()
    {
        Assert.NotNull(MessageValidator.Validate(CdpMessage.Alias("p1", "null") with { AnonymousId = "a1" }, null));
    }

    [Fact]
    public void Validate_EventNameLength_CountsUtf16CodeUnits()
    {
        // 100 emoji are 200 UTF-16 code units.
        Assert.Null(MessageValidator.Validate(CdpMessage.Track("u1", string.Concat(Enumerable.Repeat("🎉", 100))), null));
        Assert.NotNull(MessageValidator.Validate(CdpMessage.Track("u1", string.Concat(Enumerable.Repeat("🎉", 100)) + "x"), null));
    }

    [Fact]
    public void Validate_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => MessageValidator.Validate(null!, null));
    }
}
