using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("TinyCdp.Storage.Postgres.Tests.PostgresTestFramework", "TinyCdp.Storage.Postgres.Tests")]

namespace TinyCdp.Storage.Postgres.Tests;

/// <summary>
/// xUnit's own framework, except that without <see cref="PostgresTestDatabase.EnvironmentVariable"/>
/// every test of this assembly (the inherited specification facts and FsCheck properties included) is
/// discovered as skipped with a visible reason: never silently passed, never failed for want of a server.
/// </summary>
/// <remarks>xUnit v2 has no dynamic skip, and the inherited facts cannot carry a custom attribute, hence discovery.</remarks>
public sealed class PostgresTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(
            ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgresTestDatabase.IsConfigured || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any() ||
                testMethod.TestClass.Class.GetCustomAttributes(typeof(WithoutPostgresAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var testCase = new NotConfiguredTestCase(
                DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
            return ReportDiscoveredTestCase(testCase, includeSourceInformation, messageBus);
        }
    }
}

/// <summary>A test that is reported as skipped because no PostgreSQL server was given.</summary>
public sealed class NotConfiguredTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public NotConfiguredTestCase()
    {
    }

    public NotConfiguredTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => PostgresTestDatabase.NotConfiguredReason;
}

/// <summary>Marks a test class that needs no PostgreSQL server: it runs whether or not one is configured.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WithoutPostgresAttribute : Attribute;
