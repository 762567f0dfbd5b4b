#include "ui/theme.hpp"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QStyleFactory>

#include <cmath>

namespace redub::ui {

QColor theme::syncColour(double r) {
    if (std::isnan(r)) return kSyncNone;
    return r >= 0.5 ? kSyncGood : r >= 0.2 ? kSyncFair : kSyncPoor;
}

QString theme::textColourStyle(const QColor& colour) { return QStringLiteral("color: %1;").arg(colour.name()); }

QString theme::dimLabelStyle() { return QStringLiteral("color: #8d929a;"); }

QString theme::sectionLabelStyle() {
    return QStringLiteral("color: #8d929a; font-size: 8pt; letter-spacing: 1px; padding-top: 8px;");
}

QString theme::primaryButtonStyle() {
    return QStringLiteral(
        "QToolButton { background: #2d6da3; color: white; padding: 4px 12px; }"
        "QToolButton:hover { background: #3680bf; }"
        "QToolButton:disabled { background: #2f3a45; color: #7d8896; }");
}

QString theme::transportBarStyle() {
    return QStringLiteral("#transportBar { background: #24262a; border-top: 1px solid #1a1b1e; }");
}

QString theme::timelineBarStyle() {
    return QStringLiteral("#timelineBar { background: #2b2d31; border-bottom: 1px solid #1a1b1e; }");
}

QString theme::timecodeStyle() {
    return QStringLiteral("font-family: monospace; font-size: 12pt; color: #dcdee2; padding-right: 6px;");
}

QString theme::durationStyle() { return QStringLiteral("font-family: monospace; color: #8d929a;"); }

QString theme::speedStyle() { return QStringLiteral("font-family: monospace; font-weight: bold; color: #4c9be8;"); }

QString theme::fieldLabelStyle() { return QStringLiteral("color: #8d929a; padding-right: 4px;"); }

QString theme::smallButtonStyle() { return QStringLiteral("padding: 3px 10px;"); }

QString theme::summaryStyle() { return QStringLiteral("color: #8d929a; padding: 6px 0;"); }

QString theme::dialogErrorStyle() { return QStringLiteral("color: #ff6b61; padding: 2px 0;"); }

QIcon glyphIcon(Glyph g) {
    QIcon icon;
    for (int size : {16, 20, 24, 32, 40}) {
        for (auto [mode, colour] : {std::pair{QIcon::Normal, QColor(0xdc, 0xde, 0xe2)},
                                    {QIcon::Disabled, QColor(0x5a, 0x5e, 0x65)},
                                    {QIcon::Active, QColor(0xff, 0xff, 0xff)}}) {
            QPixmap pm(size, size);
            pm.fill(Qt::transparent);
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            const double s = size;
            auto triangle = [&](double x0, double x1, bool right) {
                QPainterPath t;
                t.moveTo(right ? x0 : x1, s * 0.2);
                t.lineTo(right ? x1 : x0, s * 0.5);
                t.lineTo(right ? x0 : x1, s * 0.8);
                t.closeSubpath();
                p.drawPath(t);
            };
            switch (g) {
                case Glyph::Play:
                    triangle(s * 0.28, s * 0.8, true);
                    break;
                case Glyph::Pause:
                    p.drawRoundedRect(QRectF(s * 0.25, s * 0.2, s * 0.17, s * 0.6), 1, 1);
                    p.drawRoundedRect(QRectF(s * 0.58, s * 0.2, s * 0.17, s * 0.6), 1, 1);
                    break;
                case Glyph::StepBack:
                    p.drawRect(QRectF(s * 0.22, s * 0.22, s * 0.1, s * 0.56));
                    triangle(s * 0.36, s * 0.78, false);
                    break;
                case Glyph::StepForward:
                    triangle(s * 0.22, s * 0.64, true);
                    p.drawRect(QRectF(s * 0.68, s * 0.22, s * 0.1, s * 0.56));
                    break;
                case Glyph::ToStart:
                    p.drawRect(QRectF(s * 0.16, s * 0.22, s * 0.08, s * 0.56));
                    triangle(s * 0.26, s * 0.55, false);
                    triangle(s * 0.53, s * 0.84, false);
                    break;
                case Glyph::Generate: {
                    // A four-point spark: "make frames".
                    QPainterPath star;
                    const double c = s / 2, r = s * 0.42, k = s * 0.1;
                    star.moveTo(c, c - r);
                    star.quadTo(c + k, c - k, c + r, c);
                    star.quadTo(c + k, c + k, c, c + r);
                    star.quadTo(c - k, c + k, c - r, c);
                    star.quadTo(c - k, c - k, c, c - r);
                    p.drawPath(star);
                    break;
                }
                case Glyph::ToEnd:
                    triangle(s * 0.16, s * 0.47, true);
                    triangle(s * 0.45, s * 0.74, true);
                    p.drawRect(QRectF(s * 0.76, s * 0.22, s * 0.08, s * 0.56));
                    break;
            }
            p.end();
            icon.addPixmap(pm, mode);
        }
    }
    return icon;
}

void applyDarkTheme(QApplication& app) {
    using namespace theme;
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    p.setColor(QPalette::Window, kWindow);
    p.setColor(QPalette::WindowText, kText);
    p.setColor(QPalette::Base, kBase);
    p.setColor(QPalette::AlternateBase, kPanel);
    p.setColor(QPalette::ToolTipBase, kPanel);
    p.setColor(QPalette::ToolTipText, kText);
    p.setColor(QPalette::PlaceholderText, kDimText);
    p.setColor(QPalette::Text, kText);
    p.setColor(QPalette::Button, QColor(0x33, 0x36, 0x3b));
    p.setColor(QPalette::ButtonText, kText);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Link, kAccent);
    p.setColor(QPalette::Highlight, kAccent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x3c, 0x3f, 0x45));
    p.setColor(QPalette::Midlight, QColor(0x36, 0x39, 0x3e));
    p.setColor(QPalette::Mid, QColor(0x22, 0x24, 0x27));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1e));
    p.setColor(QPalette::Shadow, QColor(0x10, 0x10, 0x12));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x6a, 0x6e, 0x75));
    app.setPalette(p);
    app.setStyleSheet(QStringLiteral(R"(
QMainWindow::separator { background: #1a1b1e; width: 3px; height: 3px; }
QDockWidget { color: #c8cbd0; titlebar-close-icon: none; }
QDockWidget::title { background: #24262a; padding: 5px 8px; border-bottom: 1px solid #1a1b1e; }
QToolBar { background: #2b2d31; border: none; border-bottom: 1px solid #1a1b1e; spacing: 4px; padding: 3px 6px; }
QToolButton { color: #dcdee2; padding: 4px 8px; border-radius: 4px; }
QToolButton:hover { background: #3a3d43; }
QToolButton:pressed, QToolButton:checked { background: #2d5d86; }
QToolButton:disabled { color: #5f636a; }
QToolBar QLabel { color: #8d929a; padding: 0 4px; }
QStatusBar { background: #24262a; color: #a8acb3; border-top: 1px solid #1a1b1e; }
QStatusBar QLabel { color: #a8acb3; padding: 0 8px; }
QMenuBar { background: #2b2d31; color: #dcdee2; border-bottom: 1px solid #1a1b1e; }
QMenuBar::item { padding: 4px 10px; }
QMenuBar::item:selected { background: #3a3d43; border-radius: 3px; }
QMenu { background: #2b2d31; color: #dcdee2; border: 1px solid #1a1b1e; padding: 4px; }
QMenu::item { padding: 5px 24px 5px 20px; border-radius: 3px; }
QMenu::item:selected { background: #2d5d86; }
QMenu::separator { height: 1px; background: #3a3d43; margin: 4px 8px; }
QPlainTextEdit { background: #1a1b1e; color: #b9bdc4; border: none; font-family: monospace; font-size: 9pt; }
QSpinBox, QDoubleSpinBox, QComboBox, QLineEdit { background: #1e1f22; border: 1px solid #3a3d43; border-radius: 3px; padding: 2px 4px; min-height: 20px; }
QSpinBox:focus, QDoubleSpinBox:focus, QLineEdit:focus, QComboBox:focus { border-color: #3d9be9; }
QPushButton { background: #3a3d43; border: 1px solid #464a51; border-radius: 4px; padding: 5px 14px; }
QPushButton:hover { background: #44484f; }
QPushButton:default { background: #2d6da3; border-color: #3d9be9; }
QProgressBar { background: #1e1f22; border: 1px solid #3a3d43; border-radius: 3px; text-align: center; height: 14px; color: #dcdee2; }
QProgressBar::chunk { background: #3d9be9; border-radius: 2px; }
QScrollBar:horizontal { background: #1e1f22; height: 12px; }
QScrollBar::handle:horizontal { background: #464a51; border-radius: 4px; min-width: 30px; margin: 2px; }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; }
QGroupBox { border: 1px solid #3a3d43; border-radius: 4px; margin-top: 10px; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; color: #8d929a; }
QSlider::groove:horizontal { height: 4px; background: #3a3d43; border-radius: 2px; }
QSlider::handle:horizontal { background: #3d9be9; width: 12px; margin: -5px 0; border-radius: 6px; }
QTabBar::tab { background: #24262a; color: #a8acb3; padding: 5px 12px; }
QTabBar::tab:selected { background: #2b2d31; color: #dcdee2; }
)"));
}

}  // namespace redub::ui
