namespace ReferralNetwork.Contracts;
