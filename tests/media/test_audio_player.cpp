// AudioPlayer: "no device" is a normal state, and the position still follows
// play/pause/stop (on the wall clock without a device, from the device with one).
#include "media/audio_player.hpp"

#include <QtTest>

#include <chrono>
#include <thread>

using namespace redub::media;

namespace {
std::shared_ptr<AudioBuffer> tone(double seconds) {
    auto b = std::make_shared<AudioBuffer>();
    b->sample_rate = 48000;
    b->channels = 2;
    b->samples.assign(size_t(seconds * 48000) * 2, 0.0f);
    for (size_t i = 0; i < b->samples.size(); ++i) b->samples[i] = 0.1f * float(std::sin(i * 0.03));
    return b;
}
void sleepS(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }
}  // namespace

class TestAudioPlayer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constructsWithOrWithoutADevice() {
        AudioPlayer player;
        if (player.available()) {
            QVERIFY(player.unavailableReason().empty());
            QVERIFY(!player.deviceName().empty());
        } else {
            QVERIFY2(!player.unavailableReason().empty(), "no device but no reason given");
            QVERIFY(player.deviceName().empty());
        }
        QVERIFY(!player.playing());
        QCOMPARE(player.positionS(), 0.0);
    }

    void positionAdvancesWhilePlayingAndHoldsWhenPaused() {
        AudioPlayer player;
        player.setBuffer(tone(3.0));
        player.play(1.0);
        QVERIFY(player.playing());
        sleepS(0.3);
        const double t1 = player.positionS();
        QVERIFY2(t1 > 1.05 && t1 < 1.6, qPrintable(QString::number(t1)));
        player.pause();
        QVERIFY(!player.playing());
        const double held = player.positionS();
        sleepS(0.15);
        QCOMPARE(player.positionS(), held);
        player.resume();
        sleepS(0.15);
        QVERIFY(player.positionS() > held);
        player.stop();
        QVERIFY(!player.playing());
        QCOMPARE(player.positionS(), 0.0);
    }

    void stopsAtTheEndOfTheBuffer() {
        AudioPlayer player;
        player.setBuffer(tone(0.2));
        player.play(0.0);
        sleepS(0.6);
        QVERIFY(!player.playing());
        QVERIFY2(std::abs(player.positionS() - 0.2) < 0.05, qPrintable(QString::number(player.positionS())));
    }

    void playClampsTheStartPosition() {
        AudioPlayer player;
        player.setBuffer(tone(1.0));
        player.play(-5.0);
        QVERIFY(player.positionS() < 0.1);
        player.play(50.0);
        QVERIFY(!player.playing());
        QVERIFY(player.positionS() <= 1.0);
    }
};

QTEST_GUILESS_MAIN(TestAudioPlayer)
#include "test_audio_player.moc"
