namespace Nabla.Tests.Properties;

public class SweepTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>The CI sweep: 5,000 expressions (fixed seeds), every variable, every derivative the contract defines.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_expressions_are_derived_checked_and_read_back(int block)
    {
        var report = Sweep.Run(100_000 + block * 1000, 1000);
        output.WriteLine(report.ToString());
        Assert.True(report.Clean, report.ToString());
    }
}
