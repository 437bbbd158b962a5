// The event definitions of the export (README, Study record): PFS, OS, LPFS, censoring, best
// response, computed by hand for each case below. Months = days / 30.4375.

#include "seedplan/study/PatientOutcomes.h"
#include "StudyTestSupport.h"

namespace seedplan::study {
namespace {

// Month fractions are exact quotients of whole days: compare to the last bit but one.
constexpr double kMonthTolerance = 1e-12;

struct Case {
  PatientRecord patient = test::Patient("P01", "PD1_I125", "2022-01-10");
  std::vector<LesionRecord> lesions = {test::Lesion("P01", "L1", "lung", true),
                                       test::Lesion("P01", "L2", "bone", false)};
  std::vector<FollowUpRecord> followUps;
  std::vector<StudyEventRecord> events;

  void Event(const std::string& type, const std::string& date,
             std::optional<std::string> lesion = std::nullopt) {
    StudyEventRecord event;
    event.patientId = "P01";
    event.type = type;
    event.date = date;
    event.lesionId = lesion;
    events.push_back(event);
  }
  FollowUpRecord& Visit(const std::string& date) {
    FollowUpRecord visit;
    visit.patientId = "P01";
    visit.date = date;
    followUps.push_back(visit);
    return followUps.back();
  }
  PatientOutcomes Derive() const {
    return PatientOutcomes::Derive(patient, lesions, followUps, events);
  }
};

TEST(PatientOutcomes, EachEndpointEndsAtItsFirstEventOrDeath) {
  Case c;
  c.Event("progression", "2022-04-10");             // day 90
  c.Event("local-progression", "2022-07-09", "L1"); // day 180, index lesion
  c.Event("local-progression", "2022-03-01", "L2"); // day 50, another lesion
  c.Event("death", "2023-01-10");                   // day 365
  const PatientOutcomes o = c.Derive();
  // PFS: progression anywhere; the non-index lesion's local progression (day 50) comes first.
  EXPECT_EQ(o.pfs.date, "2022-03-01");
  EXPECT_EQ(o.pfs.event, 1);
  EXPECT_NEAR(*o.pfs.months, 50.0 / 30.4375, kMonthTolerance);
  EXPECT_EQ(o.os.date, "2023-01-10");
  EXPECT_EQ(o.os.event, 1);
  EXPECT_NEAR(*o.os.months, 365.0 / 30.4375, kMonthTolerance);
  // LPFS follows the index lesion only.
  EXPECT_EQ(o.lpfs.date, "2022-07-09");
  EXPECT_EQ(o.lpfs.event, 1);
  EXPECT_NEAR(*o.lpfs.months, 180.0 / 30.4375, kMonthTolerance);
}

TEST(PatientOutcomes, DeathEndsEveryEndpointNotYetEnded) {
  Case c;
  c.Event("progression", "2022-04-10");
  c.Event("death", "2022-06-08"); // day 149
  const PatientOutcomes o = c.Derive();
  EXPECT_EQ(o.pfs.date, "2022-04-10");
  EXPECT_EQ(o.lpfs.date, "2022-06-08");
  EXPECT_EQ(o.lpfs.event, 1);
  EXPECT_NEAR(*o.lpfs.months, 149.0 / 30.4375, kMonthTolerance);
}

TEST(PatientOutcomes, AnEndpointWithoutItsEventIsCensoredAtTheLastContact) {
  Case c;
  c.Visit("2022-02-10");
  c.Visit("2022-05-10");
  c.Event("last-contact", "2022-06-01"); // day 142: later than every visit
  c.Event("local-progression", "2022-05-20", "L2");
  const PatientOutcomes o = c.Derive();
  EXPECT_EQ(o.lastContactDate, "2022-06-01");
  EXPECT_EQ(o.os.date, "2022-06-01");
  EXPECT_EQ(o.os.event, 0);
  EXPECT_NEAR(*o.os.months, 142.0 / 30.4375, kMonthTolerance);
  EXPECT_EQ(o.pfs.date, "2022-05-20");
  EXPECT_EQ(o.pfs.event, 1);
  EXPECT_EQ(o.lpfs.date, "2022-06-01");
  EXPECT_EQ(o.lpfs.event, 0);
}

TEST(PatientOutcomes, AVisitAfterTheLastContactEventIsTheLastContact) {
  Case c;
  c.Event("last-contact", "2022-03-01");
  c.Visit("2022-08-01");
  EXPECT_EQ(c.Derive().os.date, "2022-08-01");
}

TEST(PatientOutcomes, TimesAreMissingWithoutAStartOrAnyDateAfterIt) {
  Case noStart;
  noStart.patient.startDate.reset();
  noStart.Event("death", "2022-03-01");
  EXPECT_FALSE(noStart.Derive().os.date);
  EXPECT_FALSE(noStart.Derive().os.months);
  Case noContact;
  EXPECT_FALSE(noContact.Derive().os.date);
  EXPECT_FALSE(noContact.Derive().pfs.event);
  Case noIndex;
  noIndex.lesions[0].isIndex = false;
  noIndex.Event("death", "2022-03-01");
  EXPECT_FALSE(noIndex.Derive().lpfs.date);
  EXPECT_TRUE(noIndex.Derive().os.date);
}

TEST(PatientOutcomes, BestResponseIsTheBestOfAllVisitsAndLocalResponseThatOfTheIndexLesion) {
  Case c;
  c.Visit("2022-02-10").response = "SD";
  c.followUps.back().lesionResponses = {{"L1", "SD"}, {"L2", "CR"}};
  c.Visit("2022-04-10").response = "PR";
  c.followUps.back().lesionResponses = {{"L1", "PR"}};
  c.Visit("2022-06-10").response = "PD";
  const PatientOutcomes o = c.Derive();
  EXPECT_EQ(o.bestResponse, "PR");
  EXPECT_EQ(o.localResponse, "PR");
}

TEST(PatientOutcomes, VasAtFollowUpIsTheFirstVisitAfterStartThatRecordsOne) {
  Case c;
  c.Visit("2022-01-10").vas = 8; // on the start date: not after it
  c.Visit("2022-03-10").vas = 2;
  c.Visit("2022-02-10"); // no VAS
  c.Visit("2022-02-20").vas = 4;
  EXPECT_EQ(c.Derive().vasFollowup, 4.0);
}

TEST(PatientOutcomes, OtherPatientsEntriesDoNotCount) {
  Case c;
  StudyEventRecord other;
  other.patientId = "P02";
  other.type = "death";
  other.date = "2022-02-01";
  c.events.push_back(other);
  EXPECT_FALSE(c.Derive().os.date);
}

} // namespace
} // namespace seedplan::study
