# A python3-zeroconf mDNS publisher (not our library): registers an IPP printer, sends goodbyes on SIGTERM.
import signal, socket, sys, threading
from zeroconf import IPVersion, ServiceInfo, Zeroconf

ip, host, name = sys.argv[1], sys.argv[2], sys.argv[3]
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
info = ServiceInfo("_ipp._tcp.local.", f"{name}._ipp._tcp.local.", addresses=[socket.inet_aton(ip)], port=8631,
                   server=f"{host}.local.", properties={"rp": "ipp/print", "ty": name, "usb_MFG": "LabCorp", "usb_MDL": "ZC-1"})
web = ServiceInfo("_http._tcp.local.", f"{name}._http._tcp.local.", addresses=[socket.inet_aton(ip)], port=8080,
                  server=f"{host}.local.", properties={"path": "/"})
lpd = ServiceInfo("_printer._tcp.local.", f"{name}._printer._tcp.local.", addresses=[socket.inet_aton(ip)], port=0,
                  server=f"{host}.local.", properties={})
zc = Zeroconf(interfaces=[ip], ip_version=IPVersion.V4Only)
for i in (info, web, lpd):
    zc.register_service(i)
print("registered", flush=True)
stop.wait()
zc.unregister_all_services()
zc.close()
