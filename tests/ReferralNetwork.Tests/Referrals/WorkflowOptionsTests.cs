using ReferralNetwork.Referrals;




namespace ReferralNetwork.Tests.Referrals;

public sealed class WorkflowOptionsTests
{
    [Fact]
    public void Response_deadlines_are_configured_per_country_pair_with_a_default()
    {
        var options = new WorkflowOptions
        {
            DefaultResponseDeadline = TimeSpan.FromDays(3),
            ResponseDeadlines = { ["TH-VN"] = TimeSpan.FromDays(2), ["TH-TH"] = TimeSpan.FromHours(12) },
        };

        Assert.Equal(TimeSpan.FromDays(2), options.DeadlineFor("TH", "VN"));
        Assert.Equal(TimeSpan.FromHours(12), options.DeadlineFor("TH", "TH"));
        Assert.Equal(TimeSpan.FromDays(3), options.DeadlineFor("VN", "TH"));
    }
}
