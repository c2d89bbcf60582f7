import GeoIndex
