// The HTTP load test's baseline (scripts/http-load.sh): a minimal Kestrel endpoint that answers
// GET /v1/decide with a fixed JSON body, read once from a file (the script saves a real decide
// answer there, so both servers send the same bytes). No store, no authentication, no engine:
// what ASP.NET Core itself costs per request on this machine. Usage:
//   dotnet TinyCdp.Samples.FixedJson.dll --body=<file.json> --urls=http://127.0.0.1:5081
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var path = builder.Configuration["body"] ?? throw new InvalidOperationException("--body=<file.json> is required");
var body = await File.ReadAllBytesAsync(path);

var app = builder.Build();
app.MapGet("/v1/decide", () => Results.Bytes(body, "application/json; charset=utf-8"));
app.MapGet("/health", () => Results.Bytes("{\"status\":\"ok\"}"u8.ToArray(), "application/json"));
await app.RunAsync();
