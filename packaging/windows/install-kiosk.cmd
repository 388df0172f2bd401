@echo off
rem Disan kiosk on Windows: registers the scheduled task "Disan kiosk" that starts
rem `disan watchdog` at this user's logon (docs\kiosk.md, "Windows"). Run it from the unzipped
rem folder, as the kiosk's own user, after setting kiosk.toml. To remove the task:
rem   schtasks /Delete /TN "Disan kiosk" /F
setlocal
rem UTF-8, for the Vietnamese messages below.
chcp 65001 >nul
set "HERE=%~dp0"
if not exist "%HERE%disan.exe" (
  echo Không thấy disan.exe trong %HERE% / disan.exe is not in %HERE%
  exit /b 1
)
"%HERE%disan.exe" watchdog --check --config "%HERE%kiosk.toml"
if errorlevel 1 (
  echo Hãy sửa kiosk.toml rồi chạy lại / Mend kiosk.toml, then run this again
  exit /b 1
)
rem The task file names C:\Disan\; the folder this was run from replaces it.
powershell -NoProfile -ExecutionPolicy Bypass -Command "$d = $env:HERE; $x = (Get-Content -Raw -Encoding UTF8 (Join-Path $d 'disan-kiosk-task.xml')).Replace('C:\Disan\', $d); Register-ScheduledTask -TaskName 'Disan kiosk' -Xml $x -Force | Out-Null"
if errorlevel 1 (
  echo Không đăng ký được tác vụ / The task could not be registered
  exit /b 1
)
echo Đã đăng ký tác vụ "Disan kiosk": kiosk sẽ chạy khi đăng nhập.
echo The task "Disan kiosk" is registered: the kiosk starts at logon.
echo Chạy ngay / start now: schtasks /Run /TN "Disan kiosk"
