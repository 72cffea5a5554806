using System.Text.Json;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using static TinyCdp.Core.Tests.Ingestion.IngestionJson;

namespace TinyCdp.Core.Tests.Ingestion;

public class MessageReaderTests
{
    private static readonly DateTimeOffset May1 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    // --- The seed's shapes ---------------------------------------------------------------

    [Fact]
    public void TryReadMessage_SeedTrack_ReadsEveryField()
    {
        var message = Read("{'event':'Signed Up','userId':'u1','deviceId':'d1','ts':'2024-05-01T12:00:00Z','props':{'plan':'pro'}}", MessageKind.Track);

        Assert.Equal(MessageKind.Track, message.Kind);
        Assert.Equal("Signed Up", message.Event);
        Assert.Equal("u1", message.UserId);
        Assert.Equal("d1", message.AnonymousId);
        Assert.Equal(May1, message.Timestamp);
        Assert.Equal(Value.ParseJson(Q("{'plan':'pro'}")), message.Properties);
        Assert.Null(message.MessageId);
        Assert.Null(message.SentAt);
        Assert.True(message.Context.IsNull);
    }

    [Fact]
    public void TryReadMessage_SeedTrackWithEveryField_UserIdWinsOverExternalId()
    {
        var message = Read("{'event':'Signed Up','userId':'u1','deviceId':'d1','externalId':'e1','ts':'2024-05-01T12:00:00Z','props':{'plan':'pro'}}", MessageKind.Track);

        Assert.Equal("u1", message.UserId);
        Assert.Equal("d1", message.AnonymousId);
        Assert.Equal(May1, message.Timestamp);
        Assert.Equal("pro", message.Properties.Member("plan").AsString);
    }

    [Fact]
    public void TryReadMessage_SeedTrackWithExternalId_ExternalIdIsTheUserId()
    {
        var message = Read("{'event':'Viewed','externalId':'e1'}", MessageKind.Track);

        Assert.Equal("e1", message.UserId);
        Assert.Null(message.AnonymousId);
    }

    [Fact]
    public void TryReadMessage_SeedIdentify_ReadsTraits()
    {
        var message = Read("{'userId':'u1','deviceId':'d1','traits':{'email':'a@b.co','plan':'pro'}}", MessageKind.Identify);

        Assert.Equal(MessageKind.Identify, message.Kind);
        Assert.Equal("u1", message.UserId);
        Assert.Equal("d1", message.AnonymousId);
        Assert.Equal("pro", message.Traits.Member("plan").AsString);
    }

    // --- Segment's shapes ----------------------------------------------------------------

    [Fact]
    public void TryReadMessage_SegmentTrack_ReadsEveryField()
    {
        var message = Read("""
            {'type':'track','userId':'019mr8mf4r','anonymousId':'507f191e810c19729de860ea','event':'Item Purchased',
             'properties':{'revenue':39.95,'shippingMethod':'2-day'},'timestamp':'2024-05-01T12:00:00.123Z',
             'sentAt':'2024-05-01T12:00:01Z','messageId':'022bb90c-bbac-11e4-8dfc-aa07a5b093db',
             'context':{'ip':'8.8.8.8','library':{'name':'analytics.js','version':'2.11.1'}},'integrations':{'All':true},
             'originalTimestamp':'2024-05-01T12:00:00.123Z','receivedAt':'2024-05-01T12:00:02Z','version':2}
            """, MessageKind.Track);

        Assert.Equal("019mr8mf4r", message.UserId);
        Assert.Equal("507f191e810c19729de860ea", message.AnonymousId);
        Assert.Equal("Item Purchased", message.Event);
        Assert.Equal(39.95, message.Properties.Member("revenue").AsNumber);
        Assert.Equal(May1.AddMilliseconds(123), message.Timestamp);
        Assert.Equal(May1.AddSeconds(1), message.SentAt);
        Assert.Equal("022bb90c-bbac-11e4-8dfc-aa07a5b093db", message.MessageId);
        Assert.Equal("analytics.js", message.Context.Member("library").Member("name").AsString);
    }

    [Fact]
    public void TryReadMessage_SegmentIdentify_ReadsTraitsAndContext()
    {
        var message = Read("{'userId':'97980cfea0067','traits':{'name':'Peter Gibbons','email':'peter@example.com','plan':'premium','logins':5},'context':{'ip':'24.5.68.47'}}", MessageKind.Identify);

        Assert.Equal("97980cfea0067", message.UserId);
        Assert.Equal(5, message.Traits.Member("logins").AsNumber);
        Assert.Equal("24.5.68.47", message.Context.Member("ip").AsString);
        Assert.True(message.Properties.IsNull);
    }

    [Fact]
    public void TryReadMessage_SegmentAlias_ReadsPreviousIdAndUserId()
    {
        var message = Read("{'type':'alias','previousId':'39239-239239-239239-23923','userId':'507f191e81'}", MessageKind.Alias);

        Assert.Equal(MessageKind.Alias, message.Kind);
        Assert.Equal("39239-239239-239239-23923", message.PreviousId);
        Assert.Equal("507f191e81", message.UserId);
    }

    [Fact]
    public void TryReadMessage_SegmentPage_NameAndCategoryBecomeEventAndCategory()
    {
        var message = Read("{'anonymousId':'a1','name':'Pricing','category':'Docs','properties':{'path':'/pricing','title':'Pricing'}}", MessageKind.Page);

        Assert.Equal(MessageKind.Page, message.Kind);
        Assert.Equal("Pricing", message.Event);
        Assert.Equal("Docs", message.Category);
        Assert.Equal("/pricing", message.Properties.Member("path").AsString);
    }

    [Fact]
    public void TryReadMessage_SegmentPageWithoutName_IsAccepted()
    {
        var message = Read("{'anonymousId':'a1','properties':{'path':'/'}}", MessageKind.Page);

        Assert.Null(message.Event);
        Assert.Null(message.Category);
    }

    [Fact]
    public void TryReadMessage_SegmentScreen_NameBecomesEventAndCategoryIsIgnored()
    {
        var message = Read("{'userId':'u1','name':'Home','category':'Main','properties':{'variation':'blue'}}", MessageKind.Screen);

        Assert.Equal(MessageKind.Screen, message.Kind);
        Assert.Equal("Home", message.Event);
        Assert.Null(message.Category);
        Assert.Equal("blue", message.Properties.Member("variation").AsString);
    }

    [Fact]
    public void TryReadMessage_SegmentGroup_ReadsGroupIdAndTraits()
    {
        var message = Read("{'userId':'u1','groupId':'0e8c78ea9d97a7b8185e8632','traits':{'name':'Initech','employees':329}}", MessageKind.Group);

        Assert.Equal(MessageKind.Group, message.Kind);
        Assert.Equal("0e8c78ea9d97a7b8185e8632", message.GroupId);
        Assert.Equal(329, message.Traits.Member("employees").AsNumber);
    }

    [Theory]
    [InlineData("track", MessageKind.Track)]
    [InlineData("identify", MessageKind.Identify)]
    [InlineData("alias", MessageKind.Alias)]
    [InlineData("page", MessageKind.Page)]
    [InlineData("screen", MessageKind.Screen)]
    [InlineData("group", MessageKind.Group)]
    [InlineData("Track", MessageKind.Track)]
    [InlineData("IDENTIFY", MessageKind.Identify)]
    public void TryReadMessage_KindFromType_IgnoresCase(string type, MessageKind expected)
    {
        var message = Read($"{{'type':'{type}','userId':'u1','event':'e','previousId':'p1','groupId':'g1'}}", null);

        Assert.Equal(expected, message.Kind);
    }

    [Fact]
    public void TryReadMessage_KindFromRoute_IgnoresType()
    {
        var message = Read("{'type':'identify','userId':'u1','event':'Clicked'}", MessageKind.Track);

        Assert.Equal(MessageKind.Track, message.Kind);
        Assert.Equal("Clicked", message.Event);
    }

    [Fact]
    public void TryReadMessage_FieldsOfOtherKinds_AreIgnoredWhateverTheirType()
    {
        var message = Read("{'userId':'u1','event':5,'properties':'x','previousId':{},'groupId':[],'name':true,'traits':{'plan':'pro'}}", MessageKind.Identify);

        Assert.Null(message.Event);
        Assert.True(message.Properties.IsNull);
        Assert.Null(message.PreviousId);
        Assert.Null(message.GroupId);
    }

    [Fact]
    public void TryReadMessage_UnknownFields_AreIgnored()
    {
        var message = Read("{'event':'e','userId':'u1','_metadata':{'nodeVersion':'20.11.0'},'integrations':{},'writeKey':5,'UserID':{},'extra':[1,2]}", MessageKind.Track);

        Assert.Equal("u1", message.UserId);
    }

    // --- Synonyms and precedence ---------------------------------------------------------

    [Theory]
    [InlineData("{'event':'e','userId':'u1','externalId':'e1'}", "u1")]
    [InlineData("{'event':'e','externalId':'e1','userId':'u1'}", "u1")]
    [InlineData("{'event':'e','externalId':'e1'}", "e1")]
    [InlineData("{'event':'e','userId':null,'externalId':'e1'}", "e1")]
    [InlineData("{'event':'e','userId':'null','externalId':'e1'}", "e1")]
    [InlineData("{'event':'e','userId':'','externalId':'e1'}", "e1")]
    [InlineData("{'event':'e','userId':'u1','externalId':'null'}", "u1")]
    [InlineData("{'event':'e','userId':'null','externalId':'undefined','anonymousId':'a1'}", "undefined")]
    public void TryReadMessage_UserIdAndExternalId_UserIdWinsUnlessAPlaceholder(string json, string expected)
    {
        Assert.Equal(expected, Read(json, MessageKind.Track).UserId);
    }

    [Theory]
    [InlineData("{'event':'e','anonymousId':'a1','deviceId':'d1'}", "a1")]
    [InlineData("{'event':'e','deviceId':'d1','anonymousId':'a1'}", "a1")]
    [InlineData("{'event':'e','deviceId':'d1'}", "d1")]
    [InlineData("{'event':'e','anonymousId':null,'deviceId':'d1'}", "d1")]
    [InlineData("{'event':'e','anonymousId':'0','deviceId':'d1'}", "d1")]
    public void TryReadMessage_AnonymousIdAndDeviceId_AnonymousIdWinsUnlessAPlaceholder(string json, string expected)
    {
        Assert.Equal(expected, Read(json, MessageKind.Track).AnonymousId);
    }

    [Fact]
    public void TryReadMessage_TimestampAndTs_TimestampWins()
    {
        var message = Read("{'event':'e','userId':'u','ts':'2020-01-01T00:00:00Z','timestamp':'2024-05-01T12:00:00Z'}", MessageKind.Track);

        Assert.Equal(May1, message.Timestamp);
    }

    [Fact]
    public void TryReadMessage_PropertiesAndProps_PropertiesWins()
    {
        var message = Read("{'event':'e','userId':'u','props':{'a':1},'properties':{'b':2}}", MessageKind.Track);

        Assert.Equal(Value.ParseJson(Q("{'b':2}")), message.Properties);
    }

    [Fact]
    public void TryReadMessage_NullFields_AreAbsent()
    {
        var message = Read("{'event':'e','userId':'u','anonymousId':null,'properties':null,'context':null,'timestamp':null,'sentAt':null,'messageId':null}", MessageKind.Track);

        Assert.Null(message.AnonymousId);
        Assert.True(message.Properties.IsNull);
        Assert.True(message.Context.IsNull);
        Assert.Null(message.Timestamp);
        Assert.Null(message.SentAt);
        Assert.Null(message.MessageId);
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("1.5e3", "1.5e3")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    public void TryReadMessage_NumericIds_BecomeTheirJsonText(string json, string expected)
    {
        var track = Read($"{{'event':'e','userId':{json},'anonymousId':{json}}}", MessageKind.Track);
        var alias = Read($"{{'previousId':{json},'userId':'u1'}}", MessageKind.Alias);
        var group = Read($"{{'groupId':{json},'userId':'u1'}}", MessageKind.Group);

        Assert.Equal(expected, track.UserId);
        Assert.Equal(expected, track.AnonymousId);
        Assert.Equal(expected, alias.PreviousId);
        Assert.Equal(expected, group.GroupId);
    }

    [Theory]
    [InlineData("2024-05-01T12:00:00Z")]
    [InlineData("2024-05-01T12:00:00")]
    [InlineData("2024-05-01T14:00:00+02:00")]
    [InlineData("2024-05-01T07:00:00.000-05:00")]
    public void TryReadMessage_TimestampWithOrWithoutOffset_IsReadAsUtc(string timestamp)
    {
        var message = Read($"{{'event':'e','userId':'u','timestamp':'{timestamp}'}}", MessageKind.Track);

        Assert.Equal(May1, message.Timestamp);
        Assert.Equal(TimeSpan.Zero, message.Timestamp!.Value.Offset);
    }

    [Fact]
    public void TryReadMessage_DuplicateField_LastWins()
    {
        Assert.Equal("b", Read("{'event':'a','userId':'u','event':'b'}", MessageKind.Track).Event);
    }

    // --- Wrong types -----------------------------------------------------------------------

    public static TheoryData<string, MessageKind?, string, string> WrongTypes => new()
    {
        { "{'event':5,'userId':'u'}", MessageKind.Track, "event", "event must be a string" },
        { "{'event':'e','userId':true}", MessageKind.Track, "userId", "userId must be a string or a number" },
        { "{'event':'e','userId':'u','externalId':{}}", MessageKind.Track, "externalId", "externalId must be a string or a number" },
        { "{'event':'e','anonymousId':['a']}", MessageKind.Track, "anonymousId", "anonymousId must be a string or a number" },
        { "{'event':'e','deviceId':false}", MessageKind.Track, "deviceId", "deviceId must be a string or a number" },
        { "{'event':'e','userId':'u','properties':'x'}", MessageKind.Track, "properties", "properties must be an object" },
        { "{'event':'e','userId':'u','properties':[1]}", MessageKind.Track, "properties", "properties must be an object" },
        { "{'event':'e','userId':'u','props':7}", MessageKind.Track, "props", "props must be an object" },
        { "{'userId':'u','traits':'t'}", MessageKind.Identify, "traits", "traits must be an object" },
        { "{'event':'e','userId':'u','context':'c'}", MessageKind.Track, "context", "context must be an object" },
        { "{'event':'e','userId':'u','messageId':5}", MessageKind.Track, "messageId", "messageId must be a string" },
        { "{'event':'e','userId':'u','timestamp':1714564800}", MessageKind.Track, "timestamp", "timestamp must be an ISO-8601 date-time" },
        { "{'event':'e','userId':'u','timestamp':'yesterday'}", MessageKind.Track, "timestamp", "timestamp must be an ISO-8601 date-time" },
        { "{'event':'e','userId':'u','timestamp':'2024-05-01'}", MessageKind.Track, "timestamp", "timestamp must be an ISO-8601 date-time" },
        { "{'event':'e','userId':'u','timestamp':{}}", MessageKind.Track, "timestamp", "timestamp must be an ISO-8601 date-time" },
        { "{'event':'e','userId':'u','ts':'2024-13-01T00:00:00Z'}", MessageKind.Track, "ts", "ts must be an ISO-8601 date-time" },
        { "{'event':'e','userId':'u','sentAt':'05/01/2024 12:00'}", MessageKind.Track, "sentAt", "sentAt must be an ISO-8601 date-time" },
        { "{'anonymousId':'a','name':5}", MessageKind.Page, "name", "name must be a string" },
        { "{'anonymousId':'a','category':{}}", MessageKind.Page, "category", "category must be a string" },
        { "{'anonymousId':'a','name':['Home']}", MessageKind.Screen, "name", "name must be a string" },
        { "{'previousId':true,'userId':'u'}", MessageKind.Alias, "previousId", "previousId must be a string or a number" },
        { "{'groupId':{},'userId':'u'}", MessageKind.Group, "groupId", "groupId must be a string or a number" },
        { "{'userId':'u','event':'e'}", null, "type", "type is required" },
        { "{'type':null,'userId':'u','event':'e'}", null, "type", "type is required" },
        { "{'type':5,'userId':'u','event':'e'}", null, "type", "type must be a string" },
        { "{'type':'purchase','userId':'u','event':'e'}", null, "type", "type must be one of track, identify, alias, page, screen, group" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void TryReadMessage_WrongType_NamesTheField(string json, MessageKind? kind, string field, string message)
    {
        AssertError(Reject(json, kind), MessageErrorKind.Invalid, field, message);
    }

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void TryReadMessage_WrongTypeInBatchItem_PrefixesIndex(string json, MessageKind? kind, string field, string message)
    {
        AssertError(Reject(json, kind, 3), MessageErrorKind.Invalid, "batch[3]." + field, "batch[3]: " + message, 3);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("'track'")]
    [InlineData("null")]
    [InlineData("5")]
    public void TryReadMessage_NotAnObject_IsMalformed(string json)
    {
        AssertError(Reject(json, MessageKind.Track), MessageErrorKind.Malformed, "message", "message must be a JSON object");
    }

    [Fact]
    public void TryReadMessage_DefaultElement_IsMalformed()
    {
        Assert.False(MessageReader.TryReadMessage(default, MessageKind.Track, null, out _, out var error));
        AssertError(error, MessageErrorKind.Malformed, "message", "message must be a JSON object");
    }

    [Fact]
    public void TryReadMessage_IdWithUnpairedSurrogate_NamesTheField()
    {
        AssertError(Reject("{'event':'e','userId':'a\\ud800'}", MessageKind.Track), MessageErrorKind.Invalid,
            "userId", "userId contains invalid Unicode text");
    }

    [Theory]
    [InlineData("{'event':'e','userId':'a\\u0000b'}", "userId")]
    [InlineData("{'event':'e','anonymousId':'\\u0000'}", "anonymousId")]
    [InlineData("{'event':'e\\u0000','userId':'u'}", "event")]
    [InlineData("{'event':'e','userId':'u','messageId':'m\\u0000'}", "messageId")]
    public void TryReadMessage_NulCharacterInAnIdentifierOrName_NamesTheField(string json, string field)
    {
        AssertError(Reject(json, MessageKind.Track), MessageErrorKind.Invalid, field, field + " must not contain the character U+0000");
    }

    [Fact]
    public void TryReadMessage_NulCharacterInsideProperties_IsAccepted()
    {
        var message = Read("{'event':'e','userId':'u','properties':{'a':'x\\u0000y'}}", MessageKind.Track);
        Assert.Equal("x\0y", message.Properties.Member("a").AsString);
    }

    [Fact]
    public void TryReadMessage_UnpairedSurrogateInProperties_NamesThePath()
    {
        AssertError(Reject("{'event':'e','userId':'u','properties':{'a':{'b':['x','\\udc00']}}}", MessageKind.Track), MessageErrorKind.Invalid,
            "properties.a.b[1]", "properties.a.b[1] contains invalid Unicode text");
    }

    [Fact]
    public void TryReadMessage_UnpairedSurrogateInKey_NamesTheObject()
    {
        AssertError(Reject("{'userId':'u','traits':{'a':{'\\ud800':1}}}", MessageKind.Identify), MessageErrorKind.Invalid,
            "traits.a", "traits.a has a field name that contains invalid Unicode text");
    }

    [Fact]
    public void TryReadMessage_UnpairedSurrogateInTopLevelKey_IsIgnoredLikeAnUnknownField()
    {
        Assert.Equal("e", Read("{'event':'e','userId':'u','\\ud800':1}", MessageKind.Track).Event);
    }

    [Fact]
    public void TryReadMessage_PairedSurrogateEscapes_AreRead()
    {
        Assert.Equal("👩‍💻", Read("{'event':'e','userId':'\\ud83d\\udc69\\u200d\\ud83d\\udcbb'}", MessageKind.Track).UserId);
    }

    // --- Single-message bodies -------------------------------------------------------------

    [Fact]
    public void TryReadMessageBytes_WithWriteKey_ReturnsTheKey()
    {
        Assert.True(MessageReader.TryReadMessage(Utf8("{'writeKey':'wk_1','event':'e','userId':'u'}"), MessageKind.Track, out var message, out var writeKey, out _));

        Assert.Equal("e", message.Event);
        Assert.Equal("wk_1", writeKey);
    }

    [Fact]
    public void TryReadMessageBytes_WriteKeyNotAString_IsInvalid()
    {
        Assert.False(MessageReader.TryReadMessage(Utf8("{'writeKey':5,'event':'e','userId':'u'}"), MessageKind.Track, out _, out _, out var error));

        AssertError(error, MessageErrorKind.Invalid, "writeKey", "writeKey must be a string");
    }

    [Fact]
    public void TryReadMessageBytes_RejectedMessage_StillReturnsTheWriteKey()
    {
        Assert.False(MessageReader.TryReadMessage(Utf8("{'writeKey':'wk_1','event':5,'userId':'u'}"), MessageKind.Track, out _, out var writeKey, out var error));

        Assert.Equal("wk_1", writeKey);
        Assert.Equal("event must be a string", error.Message);
    }

    [Theory]
    [InlineData("", "body is not valid JSON (line 1, byte 1)")]
    [InlineData("{'event':", "body is not valid JSON (line 1, byte 10)")]
    [InlineData("{\n'event':'e',\n}", "body is not valid JSON (line 3, byte 1)")]
    [InlineData("{'event':'e'} x", "body is not valid JSON (line 1, byte 15)")]
    [InlineData("{} {}", "body is not valid JSON (line 1, byte 4)")]
    [InlineData("event=e&userId=u", "body is not valid JSON (line 1, byte 1)")]
    public void TryReadMessageBytes_NotJson_IsMalformed(string body, string message)
    {
        Assert.False(MessageReader.TryReadMessage(Utf8(body), MessageKind.Track, out _, out _, out var error));

        AssertError(error, MessageErrorKind.Malformed, "body", message);
    }

    [Fact]
    public void TryReadMessageBytes_ByteOrderMark_IsSkipped()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Utf8("{'event':'e','userId':'u'}")];

        Assert.True(MessageReader.TryReadMessage(body, MessageKind.Track, out var message, out _, out _));
        Assert.Equal("u", message.UserId);
    }

    [Fact]
    public void TryReadMessageBytes_InvalidUtf8_IsMalformed()
    {
        byte[] body = [.. Utf8("{'event':'"), 0xFF, .. Utf8("','userId':'u'}")];

        Assert.False(MessageReader.TryReadMessage(body, MessageKind.Track, out _, out _, out var error));
        AssertError(error, MessageErrorKind.Malformed, "body", "body is not valid UTF-8");
    }

    [Fact]
    public void TryReadMessage_RejectionByValidator_UsesTheSameIndexedError()
    {
        AssertError(Reject("{'event':'$identify','userId':'u'}", MessageKind.Track, 3), MessageErrorKind.Invalid,
            "batch[3].event", "batch[3]: event names starting with '$' are reserved", 3);
    }

    [Fact]
    public void TryReadMessage_Element_CanBeReadFromADocumentTheCallerOwns()
    {
        using var document = JsonDocument.Parse(Q("{'event':'e','userId':'u','properties':{'a':[1,{'b':null}]}}"));
        Assert.True(MessageReader.TryReadMessage(document.RootElement, MessageKind.Track, null, out var message, out _));
        document.Dispose();

        Assert.Equal(Value.ParseJson(Q("{'a':[1,{'b':null}]}")), message.Properties);
    }
}
