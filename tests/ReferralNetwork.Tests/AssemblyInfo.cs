using ReferralNetwork.Tests.Support;

[assembly: AssemblyFixture(typeof(SharedPlatform))]
